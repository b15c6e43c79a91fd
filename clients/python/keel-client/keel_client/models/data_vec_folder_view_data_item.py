from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataVecFolderViewDataItem")


@_attrs_define
class DataVecFolderViewDataItem:
    """A folder with how many active domains it holds.

    Attributes:
        created_at (str):
        domain_count (int):
        id (str):
        name (str):
        updated_at (str):
    """

    created_at: str
    domain_count: int
    id: str
    name: str
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        domain_count = self.domain_count

        id = self.id

        name = self.name

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "domain_count": domain_count,
                "id": id,
                "name": name,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        domain_count = d.pop("domain_count")

        id = d.pop("id")

        name = d.pop("name")

        updated_at = d.pop("updated_at")

        data_vec_folder_view_data_item = cls(
            created_at=created_at,
            domain_count=domain_count,
            id=id,
            name=name,
            updated_at=updated_at,
        )

        data_vec_folder_view_data_item.additional_properties = d
        return data_vec_folder_view_data_item

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
