from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.funnel_step_body import FunnelStepBody


T = TypeVar("T", bound="DataSavedFunnelViewData")


@_attrs_define
class DataSavedFunnelViewData:
    """A saved funnel.

    Attributes:
        created_at (str):
        id (str):
        name (str):
        site_id (str):
        steps (list[FunnelStepBody]):
        updated_at (str):
        window_minutes (int):
    """

    created_at: str
    id: str
    name: str
    site_id: str
    steps: list[FunnelStepBody]
    updated_at: str
    window_minutes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        name = self.name

        site_id = self.site_id

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        updated_at = self.updated_at

        window_minutes = self.window_minutes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "site_id": site_id,
                "steps": steps,
                "updated_at": updated_at,
                "window_minutes": window_minutes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.funnel_step_body import FunnelStepBody  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        site_id = d.pop("site_id")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = FunnelStepBody.from_dict(steps_item_data)

            steps.append(steps_item)

        updated_at = d.pop("updated_at")

        window_minutes = d.pop("window_minutes")

        data_saved_funnel_view_data = cls(
            created_at=created_at,
            id=id,
            name=name,
            site_id=site_id,
            steps=steps,
            updated_at=updated_at,
            window_minutes=window_minutes,
        )

        data_saved_funnel_view_data.additional_properties = d
        return data_saved_funnel_view_data

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
