from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.page_alert_view_data_item_channels_item import PageAlertViewDataItemChannelsItem
    from ..models.page_alert_view_data_item_condition import PageAlertViewDataItemCondition


T = TypeVar("T", bound="PageAlertViewDataItem")


@_attrs_define
class PageAlertViewDataItem:
    """An alert as the API shows it.

    Attributes:
        channels (list[PageAlertViewDataItemChannelsItem]): `[{"type": "email" | "webhook" | "slack", …}]`; a Slack URL
            only as its hint.
        condition (PageAlertViewDataItemCondition): `{"type": "traffic" | "usage" | "dns_change" | "webhook_disabled" |
            "key_unused", …}`
        created_at (str):
        enabled (bool):
        id (str):
        name (str):
        state (str): `ok` or `firing`.
        updated_at (str):
        version (int):
        window_minutes (int):
        workspace_id (str):
        last_fired_at (None | str | Unset):
        last_resolved_at (None | str | Unset):
    """

    channels: list[PageAlertViewDataItemChannelsItem]
    condition: PageAlertViewDataItemCondition
    created_at: str
    enabled: bool
    id: str
    name: str
    state: str
    updated_at: str
    version: int
    window_minutes: int
    workspace_id: str
    last_fired_at: None | str | Unset = UNSET
    last_resolved_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channels = []
        for channels_item_data in self.channels:
            channels_item = channels_item_data.to_dict()
            channels.append(channels_item)

        condition = self.condition.to_dict()

        created_at = self.created_at

        enabled = self.enabled

        id = self.id

        name = self.name

        state = self.state

        updated_at = self.updated_at

        version = self.version

        window_minutes = self.window_minutes

        workspace_id = self.workspace_id

        last_fired_at: None | str | Unset
        if isinstance(self.last_fired_at, Unset):
            last_fired_at = UNSET
        else:
            last_fired_at = self.last_fired_at

        last_resolved_at: None | str | Unset
        if isinstance(self.last_resolved_at, Unset):
            last_resolved_at = UNSET
        else:
            last_resolved_at = self.last_resolved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channels": channels,
                "condition": condition,
                "created_at": created_at,
                "enabled": enabled,
                "id": id,
                "name": name,
                "state": state,
                "updated_at": updated_at,
                "version": version,
                "window_minutes": window_minutes,
                "workspace_id": workspace_id,
            }
        )
        if last_fired_at is not UNSET:
            field_dict["last_fired_at"] = last_fired_at
        if last_resolved_at is not UNSET:
            field_dict["last_resolved_at"] = last_resolved_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.page_alert_view_data_item_channels_item import PageAlertViewDataItemChannelsItem  # noqa: PLC0415
        from ..models.page_alert_view_data_item_condition import PageAlertViewDataItemCondition  # noqa: PLC0415

        d = dict(src_dict)
        channels = []
        _channels = d.pop("channels")
        for channels_item_data in _channels:
            channels_item = PageAlertViewDataItemChannelsItem.from_dict(channels_item_data)

            channels.append(channels_item)

        condition = PageAlertViewDataItemCondition.from_dict(d.pop("condition"))

        created_at = d.pop("created_at")

        enabled = d.pop("enabled")

        id = d.pop("id")

        name = d.pop("name")

        state = d.pop("state")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        window_minutes = d.pop("window_minutes")

        workspace_id = d.pop("workspace_id")

        def _parse_last_fired_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_fired_at = _parse_last_fired_at(d.pop("last_fired_at", UNSET))

        def _parse_last_resolved_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_resolved_at = _parse_last_resolved_at(d.pop("last_resolved_at", UNSET))

        page_alert_view_data_item = cls(
            channels=channels,
            condition=condition,
            created_at=created_at,
            enabled=enabled,
            id=id,
            name=name,
            state=state,
            updated_at=updated_at,
            version=version,
            window_minutes=window_minutes,
            workspace_id=workspace_id,
            last_fired_at=last_fired_at,
            last_resolved_at=last_resolved_at,
        )

        page_alert_view_data_item.additional_properties = d
        return page_alert_view_data_item

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
