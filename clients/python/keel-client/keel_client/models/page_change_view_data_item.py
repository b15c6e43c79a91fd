from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PageChangeViewDataItem")


@_attrs_define
class PageChangeViewDataItem:
    """One detected change of a scanned field.

    Attributes:
        detected_at (str):
        domain_name (str): The domain's name (DNSai's field).
        field_name (str): e.g. `mx`, `dmarc_policy`, `spf`
        id (str):
        new_value (None | str | Unset):
        old_value (None | str | Unset):
    """

    detected_at: str
    domain_name: str
    field_name: str
    id: str
    new_value: None | str | Unset = UNSET
    old_value: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detected_at = self.detected_at

        domain_name = self.domain_name

        field_name = self.field_name

        id = self.id

        new_value: None | str | Unset
        if isinstance(self.new_value, Unset):
            new_value = UNSET
        else:
            new_value = self.new_value

        old_value: None | str | Unset
        if isinstance(self.old_value, Unset):
            old_value = UNSET
        else:
            old_value = self.old_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detected_at": detected_at,
                "domain_name": domain_name,
                "field_name": field_name,
                "id": id,
            }
        )
        if new_value is not UNSET:
            field_dict["new_value"] = new_value
        if old_value is not UNSET:
            field_dict["old_value"] = old_value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detected_at = d.pop("detected_at")

        domain_name = d.pop("domain_name")

        field_name = d.pop("field_name")

        id = d.pop("id")

        def _parse_new_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        new_value = _parse_new_value(d.pop("new_value", UNSET))

        def _parse_old_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        old_value = _parse_old_value(d.pop("old_value", UNSET))

        page_change_view_data_item = cls(
            detected_at=detected_at,
            domain_name=domain_name,
            field_name=field_name,
            id=id,
            new_value=new_value,
            old_value=old_value,
        )

        page_change_view_data_item.additional_properties = d
        return page_change_view_data_item

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
