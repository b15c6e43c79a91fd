from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataFolderWrittenData")


@_attrs_define
class DataFolderWrittenData:
    """A folder after a write.

    Attributes:
        id (str):
        name (str):
        domain_count (int | None | Unset): On create: 0.
    """

    id: str
    name: str
    domain_count: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        domain_count: int | None | Unset
        if isinstance(self.domain_count, Unset):
            domain_count = UNSET
        else:
            domain_count = self.domain_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
            }
        )
        if domain_count is not UNSET:
            field_dict["domain_count"] = domain_count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_domain_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        domain_count = _parse_domain_count(d.pop("domain_count", UNSET))

        data_folder_written_data = cls(
            id=id,
            name=name,
            domain_count=domain_count,
        )

        data_folder_written_data.additional_properties = d
        return data_folder_written_data

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
