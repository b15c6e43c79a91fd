from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification_view import NotificationView


T = TypeVar("T", bound="PageAlertEventViewDataItem")


@_attrs_define
class PageAlertEventViewDataItem:
    """A firing or a resolution of an alert.

    Attributes:
        alert_id (str):
        id (str): The event's id in the log.
        notifications (list[NotificationView]):
        occurred_at (str):
        summary (str):
        type_ (str): `fired` or `resolved`.
        value (int): The condition's measure: a count, or a percentage (`drops_by`, `usage`).
        fired_at (None | str | Unset): When the firing this resolves began, for `resolved`.
        window_end (None | str | Unset):
        window_start (None | str | Unset): The window measured, for `fired`.
    """

    alert_id: str
    id: str
    notifications: list[NotificationView]
    occurred_at: str
    summary: str
    type_: str
    value: int
    fired_at: None | str | Unset = UNSET
    window_end: None | str | Unset = UNSET
    window_start: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alert_id = self.alert_id

        id = self.id

        notifications = []
        for notifications_item_data in self.notifications:
            notifications_item = notifications_item_data.to_dict()
            notifications.append(notifications_item)

        occurred_at = self.occurred_at

        summary = self.summary

        type_ = self.type_

        value = self.value

        fired_at: None | str | Unset
        if isinstance(self.fired_at, Unset):
            fired_at = UNSET
        else:
            fired_at = self.fired_at

        window_end: None | str | Unset
        if isinstance(self.window_end, Unset):
            window_end = UNSET
        else:
            window_end = self.window_end

        window_start: None | str | Unset
        if isinstance(self.window_start, Unset):
            window_start = UNSET
        else:
            window_start = self.window_start

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alert_id": alert_id,
                "id": id,
                "notifications": notifications,
                "occurred_at": occurred_at,
                "summary": summary,
                "type": type_,
                "value": value,
            }
        )
        if fired_at is not UNSET:
            field_dict["fired_at"] = fired_at
        if window_end is not UNSET:
            field_dict["window_end"] = window_end
        if window_start is not UNSET:
            field_dict["window_start"] = window_start

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_view import NotificationView  # noqa: PLC0415

        d = dict(src_dict)
        alert_id = d.pop("alert_id")

        id = d.pop("id")

        notifications = []
        _notifications = d.pop("notifications")
        for notifications_item_data in _notifications:
            notifications_item = NotificationView.from_dict(notifications_item_data)

            notifications.append(notifications_item)

        occurred_at = d.pop("occurred_at")

        summary = d.pop("summary")

        type_ = d.pop("type")

        value = d.pop("value")

        def _parse_fired_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fired_at = _parse_fired_at(d.pop("fired_at", UNSET))

        def _parse_window_end(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        window_end = _parse_window_end(d.pop("window_end", UNSET))

        def _parse_window_start(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        window_start = _parse_window_start(d.pop("window_start", UNSET))

        page_alert_event_view_data_item = cls(
            alert_id=alert_id,
            id=id,
            notifications=notifications,
            occurred_at=occurred_at,
            summary=summary,
            type_=type_,
            value=value,
            fired_at=fired_at,
            window_end=window_end,
            window_start=window_start,
        )

        page_alert_event_view_data_item.additional_properties = d
        return page_alert_event_view_data_item

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
