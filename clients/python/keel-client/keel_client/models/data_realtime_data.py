from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.realtime_row import RealtimeRow


T = TypeVar("T", bound="DataRealtimeData")


@_attrs_define
class DataRealtimeData:
    """Visitors on the site right now.

    Attributes:
        as_of (str): The window's end (now), RFC 3339.
        events (int):
        pageviews (int):
        top_pages (list[RealtimeRow]): The most viewed pages of the window, by visitors (at most ten).
        top_sources (list[RealtimeRow]): The sources of the window's visitors, by visitors (at most ten).
        visitors (int): Distinct visitors with a hit in the window.
        window_minutes (int):
    """

    as_of: str
    events: int
    pageviews: int
    top_pages: list[RealtimeRow]
    top_sources: list[RealtimeRow]
    visitors: int
    window_minutes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        as_of = self.as_of

        events = self.events

        pageviews = self.pageviews

        top_pages = []
        for top_pages_item_data in self.top_pages:
            top_pages_item = top_pages_item_data.to_dict()
            top_pages.append(top_pages_item)

        top_sources = []
        for top_sources_item_data in self.top_sources:
            top_sources_item = top_sources_item_data.to_dict()
            top_sources.append(top_sources_item)

        visitors = self.visitors

        window_minutes = self.window_minutes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "as_of": as_of,
                "events": events,
                "pageviews": pageviews,
                "top_pages": top_pages,
                "top_sources": top_sources,
                "visitors": visitors,
                "window_minutes": window_minutes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.realtime_row import RealtimeRow  # noqa: PLC0415

        d = dict(src_dict)
        as_of = d.pop("as_of")

        events = d.pop("events")

        pageviews = d.pop("pageviews")

        top_pages = []
        _top_pages = d.pop("top_pages")
        for top_pages_item_data in _top_pages:
            top_pages_item = RealtimeRow.from_dict(top_pages_item_data)

            top_pages.append(top_pages_item)

        top_sources = []
        _top_sources = d.pop("top_sources")
        for top_sources_item_data in _top_sources:
            top_sources_item = RealtimeRow.from_dict(top_sources_item_data)

            top_sources.append(top_sources_item)

        visitors = d.pop("visitors")

        window_minutes = d.pop("window_minutes")

        data_realtime_data = cls(
            as_of=as_of,
            events=events,
            pageviews=pageviews,
            top_pages=top_pages,
            top_sources=top_sources,
            visitors=visitors,
            window_minutes=window_minutes,
        )

        data_realtime_data.additional_properties = d
        return data_realtime_data

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
