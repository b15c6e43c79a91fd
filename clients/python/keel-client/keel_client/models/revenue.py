from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Revenue")


@_attrs_define
class Revenue:
    """Revenue of one currency, in minor units.

    Attributes:
        count (int):
        gross (int):
        net (int):
        refunds (int):
    """

    count: int
    gross: int
    net: int
    refunds: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        gross = self.gross

        net = self.net

        refunds = self.refunds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "gross": gross,
                "net": net,
                "refunds": refunds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        gross = d.pop("gross")

        net = d.pop("net")

        refunds = d.pop("refunds")

        revenue = cls(
            count=count,
            gross=gross,
            net=net,
            refunds=refunds,
        )

        revenue.additional_properties = d
        return revenue

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
