from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.funnel_step_body import FunnelStepBody


T = TypeVar("T", bound="CreateFunnelBody")


@_attrs_define
class CreateFunnelBody:
    """
    Attributes:
        name (str): 1 to 100 characters, unique on the site (case-insensitively).
        steps (list[FunnelStepBody]): 2 to 8 steps, in order.
        window_minutes (int | None | Unset): Minutes from the first step to the last: 1 to 129600, default 1440 (a day).
    """

    name: str
    steps: list[FunnelStepBody]
    window_minutes: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        window_minutes: int | None | Unset
        if isinstance(self.window_minutes, Unset):
            window_minutes = UNSET
        else:
            window_minutes = self.window_minutes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "steps": steps,
            }
        )
        if window_minutes is not UNSET:
            field_dict["window_minutes"] = window_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.funnel_step_body import FunnelStepBody  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = FunnelStepBody.from_dict(steps_item_data)

            steps.append(steps_item)

        def _parse_window_minutes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        window_minutes = _parse_window_minutes(d.pop("window_minutes", UNSET))

        create_funnel_body = cls(
            name=name,
            steps=steps,
            window_minutes=window_minutes,
        )

        return create_funnel_body
