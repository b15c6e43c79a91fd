from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dashboard_view_widgets_item import DashboardViewWidgetsItem


T = TypeVar("T", bound="DashboardView")


@_attrs_define
class DashboardView:
    """A saved dashboard as the API shows it.

    Attributes:
        created_at (str):
        description (str):
        id (str):
        name (str):
        status (str):
        type_ (str): Always `custom`: every dashboard is made by its users (Dashtray's `type`).
        updated_at (str):
        version (int):
        widgets (list[DashboardViewWidgetsItem]): `[{"title", "site_id", "metric", "interval", "period", "filters"}]`
        workspace_id (str):
    """

    created_at: str
    description: str
    id: str
    name: str
    status: str
    type_: str
    updated_at: str
    version: int
    widgets: list[DashboardViewWidgetsItem]
    workspace_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        description = self.description

        id = self.id

        name = self.name

        status = self.status

        type_ = self.type_

        updated_at = self.updated_at

        version = self.version

        widgets = []
        for widgets_item_data in self.widgets:
            widgets_item = widgets_item_data.to_dict()
            widgets.append(widgets_item)

        workspace_id = self.workspace_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "id": id,
                "name": name,
                "status": status,
                "type": type_,
                "updated_at": updated_at,
                "version": version,
                "widgets": widgets,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dashboard_view_widgets_item import DashboardViewWidgetsItem  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        description = d.pop("description")

        id = d.pop("id")

        name = d.pop("name")

        status = d.pop("status")

        type_ = d.pop("type")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        widgets = []
        _widgets = d.pop("widgets")
        for widgets_item_data in _widgets:
            widgets_item = DashboardViewWidgetsItem.from_dict(widgets_item_data)

            widgets.append(widgets_item)

        workspace_id = d.pop("workspace_id")

        dashboard_view = cls(
            created_at=created_at,
            description=description,
            id=id,
            name=name,
            status=status,
            type_=type_,
            updated_at=updated_at,
            version=version,
            widgets=widgets,
            workspace_id=workspace_id,
        )

        dashboard_view.additional_properties = d
        return dashboard_view

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
