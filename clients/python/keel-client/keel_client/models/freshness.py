from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Freshness")


@_attrs_define
class Freshness:
    """
    Attributes:
        last_24h (int):
        last_24h_percentage (float):
        last_7d (int):
        last_7d_percentage (float):
        never_scanned (int):
    """

    last_24h: int
    last_24h_percentage: float
    last_7d: int
    last_7d_percentage: float
    never_scanned: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        last_24h = self.last_24h

        last_24h_percentage = self.last_24h_percentage

        last_7d = self.last_7d

        last_7d_percentage = self.last_7d_percentage

        never_scanned = self.never_scanned

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "last_24h": last_24h,
                "last_24h_percentage": last_24h_percentage,
                "last_7d": last_7d,
                "last_7d_percentage": last_7d_percentage,
                "never_scanned": never_scanned,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        last_24h = d.pop("last_24h")

        last_24h_percentage = d.pop("last_24h_percentage")

        last_7d = d.pop("last_7d")

        last_7d_percentage = d.pop("last_7d_percentage")

        never_scanned = d.pop("never_scanned")

        freshness = cls(
            last_24h=last_24h,
            last_24h_percentage=last_24h_percentage,
            last_7d=last_7d,
            last_7d_percentage=last_7d_percentage,
            never_scanned=never_scanned,
        )

        freshness.additional_properties = d
        return freshness

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
