from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsMeta")


@_attrs_define
class StatsMeta:
    """What an analytics answer covers and where it came from.

    Attributes:
        from_ (str):
        period (str): The period asked for (`7d`, `30d`, `month`, `custom`, …).
        source (str): rollups or events
        timezone (str):
        to (str):
        dimension (None | str | Unset): Breakdowns only.
        interval (None | str | Unset): Time series only: hour, day, week or month.
        limit (int | None | Unset): Breakdowns only.
        next_ (None | str | Unset): Breakdowns only: the next page's URL, or null.
        offset (int | None | Unset): Breakdowns only.
        previous (None | str | Unset): Breakdowns only: the previous page's URL, or null.
        total_count (int | None | Unset): Breakdowns only: groups in all.
        window_minutes (int | None | Unset): Funnels only: how long a visitor has from one step to the next.
    """

    from_: str
    period: str
    source: str
    timezone: str
    to: str
    dimension: None | str | Unset = UNSET
    interval: None | str | Unset = UNSET
    limit: int | None | Unset = UNSET
    next_: None | str | Unset = UNSET
    offset: int | None | Unset = UNSET
    previous: None | str | Unset = UNSET
    total_count: int | None | Unset = UNSET
    window_minutes: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        period = self.period

        source = self.source

        timezone = self.timezone

        to = self.to

        dimension: None | str | Unset
        if isinstance(self.dimension, Unset):
            dimension = UNSET
        else:
            dimension = self.dimension

        interval: None | str | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        else:
            interval = self.interval

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        next_: None | str | Unset
        if isinstance(self.next_, Unset):
            next_ = UNSET
        else:
            next_ = self.next_

        offset: int | None | Unset
        if isinstance(self.offset, Unset):
            offset = UNSET
        else:
            offset = self.offset

        previous: None | str | Unset
        if isinstance(self.previous, Unset):
            previous = UNSET
        else:
            previous = self.previous

        total_count: int | None | Unset
        if isinstance(self.total_count, Unset):
            total_count = UNSET
        else:
            total_count = self.total_count

        window_minutes: int | None | Unset
        if isinstance(self.window_minutes, Unset):
            window_minutes = UNSET
        else:
            window_minutes = self.window_minutes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "period": period,
                "source": source,
                "timezone": timezone,
                "to": to,
            }
        )
        if dimension is not UNSET:
            field_dict["dimension"] = dimension
        if interval is not UNSET:
            field_dict["interval"] = interval
        if limit is not UNSET:
            field_dict["limit"] = limit
        if next_ is not UNSET:
            field_dict["next"] = next_
        if offset is not UNSET:
            field_dict["offset"] = offset
        if previous is not UNSET:
            field_dict["previous"] = previous
        if total_count is not UNSET:
            field_dict["total_count"] = total_count
        if window_minutes is not UNSET:
            field_dict["window_minutes"] = window_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        period = d.pop("period")

        source = d.pop("source")

        timezone = d.pop("timezone")

        to = d.pop("to")

        def _parse_dimension(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dimension = _parse_dimension(d.pop("dimension", UNSET))

        def _parse_interval(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_next_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_ = _parse_next_(d.pop("next", UNSET))

        def _parse_offset(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        offset = _parse_offset(d.pop("offset", UNSET))

        def _parse_previous(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous = _parse_previous(d.pop("previous", UNSET))

        def _parse_total_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total_count = _parse_total_count(d.pop("total_count", UNSET))

        def _parse_window_minutes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        window_minutes = _parse_window_minutes(d.pop("window_minutes", UNSET))

        stats_meta = cls(
            from_=from_,
            period=period,
            source=source,
            timezone=timezone,
            to=to,
            dimension=dimension,
            interval=interval,
            limit=limit,
            next_=next_,
            offset=offset,
            previous=previous,
            total_count=total_count,
            window_minutes=window_minutes,
        )

        stats_meta.additional_properties = d
        return stats_meta

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
