from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditMeta")


@_attrs_define
class AuditMeta:
    """
    Attributes:
        limit (int):
        order (str): asc or desc
        pending (int): Committed events not readable yet because an older transaction is still running.
        next_ (None | str | Unset): The next page's full URL (this query with that cursor); `null` at the end.
        next_cursor (None | str | Unset): Pass as `cursor` for the next page; `null` at the end.
        tail_cursor (None | str | Unset): Pass as `cursor` with `order=asc` to read only events that commit after this
            answer
            (`keel audit tail --follow` polls with it): the last row's cursor of an ascending page,
            even at the end; the newest row's of a first descending page; `null` otherwise.
    """

    limit: int
    order: str
    pending: int
    next_: None | str | Unset = UNSET
    next_cursor: None | str | Unset = UNSET
    tail_cursor: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        limit = self.limit

        order = self.order

        pending = self.pending

        next_: None | str | Unset
        if isinstance(self.next_, Unset):
            next_ = UNSET
        else:
            next_ = self.next_

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor

        tail_cursor: None | str | Unset
        if isinstance(self.tail_cursor, Unset):
            tail_cursor = UNSET
        else:
            tail_cursor = self.tail_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "limit": limit,
                "order": order,
                "pending": pending,
            }
        )
        if next_ is not UNSET:
            field_dict["next"] = next_
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor
        if tail_cursor is not UNSET:
            field_dict["tail_cursor"] = tail_cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        limit = d.pop("limit")

        order = d.pop("order")

        pending = d.pop("pending")

        def _parse_next_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_ = _parse_next_(d.pop("next", UNSET))

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))

        def _parse_tail_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tail_cursor = _parse_tail_cursor(d.pop("tail_cursor", UNSET))

        audit_meta = cls(
            limit=limit,
            order=order,
            pending=pending,
            next_=next_,
            next_cursor=next_cursor,
            tail_cursor=tail_cursor,
        )

        audit_meta.additional_properties = d
        return audit_meta

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
