from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Swept")


@_attrs_define
class Swept:
    """What a sweep did.

    Attributes:
        hits_deleted (int): Raw hits deleted row by row (SQLite).
        partitions_dropped (list[str]): Monthly partitions dropped (Postgres), e.g. `rm_hits_p202501`.
        visits_deleted (int): Visits that ended before the horizon, deleted.
        raw_since (int | None | Unset): Raw hits are complete from this instant (ms) on; `None` while nothing was ever
            dropped.
    """

    hits_deleted: int
    partitions_dropped: list[str]
    visits_deleted: int
    raw_since: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hits_deleted = self.hits_deleted

        partitions_dropped = self.partitions_dropped

        visits_deleted = self.visits_deleted

        raw_since: int | None | Unset
        if isinstance(self.raw_since, Unset):
            raw_since = UNSET
        else:
            raw_since = self.raw_since

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "hits_deleted": hits_deleted,
                "partitions_dropped": partitions_dropped,
                "visits_deleted": visits_deleted,
            }
        )
        if raw_since is not UNSET:
            field_dict["raw_since"] = raw_since

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        hits_deleted = d.pop("hits_deleted")

        partitions_dropped = cast(list[str], d.pop("partitions_dropped"))

        visits_deleted = d.pop("visits_deleted")

        def _parse_raw_since(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        raw_since = _parse_raw_since(d.pop("raw_since", UNSET))

        swept = cls(
            hits_deleted=hits_deleted,
            partitions_dropped=partitions_dropped,
            visits_deleted=visits_deleted,
            raw_since=raw_since,
        )

        swept.additional_properties = d
        return swept

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
