from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataProjectData")


@_attrs_define
class DataProjectData:
    """The caller's workspace as Dashtray shows a project.

    Attributes:
        createdAt (int): Milliseconds since the Unix epoch.
        created_at (str): RFC 3339 (Keel).
        id (str):
        name (str):
        slug (str):
        tier (str):
    """

    createdAt: int
    created_at: str
    id: str
    name: str
    slug: str
    tier: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        createdAt = self.createdAt

        created_at = self.created_at

        id = self.id

        name = self.name

        slug = self.slug

        tier = self.tier

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "createdAt": createdAt,
                "created_at": created_at,
                "id": id,
                "name": name,
                "slug": slug,
                "tier": tier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        createdAt = d.pop("createdAt")

        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

        tier = d.pop("tier")

        data_project_data = cls(
            createdAt=createdAt,
            created_at=created_at,
            id=id,
            name=name,
            slug=slug,
            tier=tier,
        )

        data_project_data.additional_properties = d
        return data_project_data

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
