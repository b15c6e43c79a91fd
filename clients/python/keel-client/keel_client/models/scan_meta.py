from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.previous_fields import PreviousFields


T = TypeVar("T", bound="ScanMeta")


@_attrs_define
class ScanMeta:
    """A scan page's context: each field's last change.

    Attributes:
        limit (int):
        offset (int):
        previous (PreviousFields): Each field's last change, `null` if it never changed.
        total_count (int):
    """

    limit: int
    offset: int
    previous: PreviousFields
    total_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        limit = self.limit

        offset = self.offset

        previous = self.previous.to_dict()

        total_count = self.total_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "limit": limit,
                "offset": offset,
                "previous": previous,
                "total_count": total_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.previous_fields import PreviousFields  # noqa: PLC0415

        d = dict(src_dict)
        limit = d.pop("limit")

        offset = d.pop("offset")

        previous = PreviousFields.from_dict(d.pop("previous"))

        total_count = d.pop("total_count")

        scan_meta = cls(
            limit=limit,
            offset=offset,
            previous=previous,
            total_count=total_count,
        )

        scan_meta.additional_properties = d
        return scan_meta

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
