from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Changes")


@_attrs_define
class Changes:
    """What changed since the previous completed scan of the same URL.

    Attributes:
        added (list[str]): Trackers and consent managers found now but not then.
        ids_added (list[str]): `tracker:id` pairs (measurement ids) new since then.
        ids_removed (list[str]):
        previous_scan_id (str):
        previous_scanned_at (str):
        removed (list[str]): Found then but not now.
    """

    added: list[str]
    ids_added: list[str]
    ids_removed: list[str]
    previous_scan_id: str
    previous_scanned_at: str
    removed: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        added = self.added

        ids_added = self.ids_added

        ids_removed = self.ids_removed

        previous_scan_id = self.previous_scan_id

        previous_scanned_at = self.previous_scanned_at

        removed = self.removed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "added": added,
                "ids_added": ids_added,
                "ids_removed": ids_removed,
                "previous_scan_id": previous_scan_id,
                "previous_scanned_at": previous_scanned_at,
                "removed": removed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        added = cast(list[str], d.pop("added"))

        ids_added = cast(list[str], d.pop("ids_added"))

        ids_removed = cast(list[str], d.pop("ids_removed"))

        previous_scan_id = d.pop("previous_scan_id")

        previous_scanned_at = d.pop("previous_scanned_at")

        removed = cast(list[str], d.pop("removed"))

        changes = cls(
            added=added,
            ids_added=ids_added,
            ids_removed=ids_removed,
            previous_scan_id=previous_scan_id,
            previous_scanned_at=previous_scanned_at,
            removed=removed,
        )

        changes.additional_properties = d
        return changes

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
