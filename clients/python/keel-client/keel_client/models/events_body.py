from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.event_item import EventItem


T = TypeVar("T", bound="EventsBody")


@_attrs_define
class EventsBody:
    """
    Attributes:
        events (list[EventItem]): Up to 1,000 events.
            Kept raw: each item is parsed on its own, so a bad one is rejected alone.
    """

    events: list[EventItem]

    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_item import EventItem  # noqa: PLC0415

        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventItem.from_dict(events_item_data)

            events.append(events_item)

        events_body = cls(
            events=events,
        )

        return events_body
