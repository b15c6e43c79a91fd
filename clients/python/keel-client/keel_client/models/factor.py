from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.range_ import Range


T = TypeVar("T", bound="Factor")


@_attrs_define
class Factor:
    """One reason for the loss.

    Attributes:
        conversions_pct (Range): A range in percent.
        description (str):
        id (str): `no_analytics`, `consent_without_consent_mode`, `consent_declined_modelled`,
            `no_consent_manager`, `client_side_only`, `no_conversion_linker` or `slow_page`.
        visitors_pct (Range): A range in percent.
    """

    conversions_pct: Range
    description: str
    id: str
    visitors_pct: Range
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conversions_pct = self.conversions_pct.to_dict()

        description = self.description

        id = self.id

        visitors_pct = self.visitors_pct.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversions_pct": conversions_pct,
                "description": description,
                "id": id,
                "visitors_pct": visitors_pct,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.range_ import Range  # noqa: PLC0415

        d = dict(src_dict)
        conversions_pct = Range.from_dict(d.pop("conversions_pct"))

        description = d.pop("description")

        id = d.pop("id")

        visitors_pct = Range.from_dict(d.pop("visitors_pct"))

        factor = cls(
            conversions_pct=conversions_pct,
            description=description,
            id=id,
            visitors_pct=visitors_pct,
        )

        factor.additional_properties = d
        return factor

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
