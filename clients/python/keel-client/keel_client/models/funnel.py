from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.funnel_step import FunnelStep


T = TypeVar("T", bound="Funnel")


@_attrs_define
class Funnel:
    """A funnel: who entered with step 1 in the range, and how far they got within the window.

    Attributes:
        completed (int): Visitors who reached the last step.
        entered (int): Visitors who reached step 1.
        steps (list[FunnelStep]):
    """

    completed: int
    entered: int
    steps: list[FunnelStep]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        completed = self.completed

        entered = self.entered

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "completed": completed,
                "entered": entered,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.funnel_step import FunnelStep  # noqa: PLC0415

        d = dict(src_dict)
        completed = d.pop("completed")

        entered = d.pop("entered")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = FunnelStep.from_dict(steps_item_data)

            steps.append(steps_item)

        funnel = cls(
            completed=completed,
            entered=entered,
            steps=steps,
        )

        funnel.additional_properties = d
        return funnel

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
