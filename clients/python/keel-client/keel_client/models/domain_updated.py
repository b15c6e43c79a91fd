from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DomainUpdated")


@_attrs_define
class DomainUpdated:
    """A domain after an update.

    Attributes:
        custom_label (str):
        domain (str):
        id (str):
        is_favorite (bool):
        notes (str):
        tags (list[str]):
        version (int):
        folder_id (None | str | Unset):
    """

    custom_label: str
    domain: str
    id: str
    is_favorite: bool
    notes: str
    tags: list[str]
    version: int
    folder_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        custom_label = self.custom_label

        domain = self.domain

        id = self.id

        is_favorite = self.is_favorite

        notes = self.notes

        tags = self.tags

        version = self.version

        folder_id: None | str | Unset
        if isinstance(self.folder_id, Unset):
            folder_id = UNSET
        else:
            folder_id = self.folder_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "custom_label": custom_label,
                "domain": domain,
                "id": id,
                "is_favorite": is_favorite,
                "notes": notes,
                "tags": tags,
                "version": version,
            }
        )
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        custom_label = d.pop("custom_label")

        domain = d.pop("domain")

        id = d.pop("id")

        is_favorite = d.pop("is_favorite")

        notes = d.pop("notes")

        tags = cast(list[str], d.pop("tags"))

        version = d.pop("version")

        def _parse_folder_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        folder_id = _parse_folder_id(d.pop("folder_id", UNSET))

        domain_updated = cls(
            custom_label=custom_label,
            domain=domain,
            id=id,
            is_favorite=is_favorite,
            notes=notes,
            tags=tags,
            version=version,
            folder_id=folder_id,
        )

        domain_updated.additional_properties = d
        return domain_updated

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
