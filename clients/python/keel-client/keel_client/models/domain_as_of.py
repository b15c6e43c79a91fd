from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DomainAsOf")


@_attrs_define
class DomainAsOf:
    """A domain as it was at `as_of`, folded from its history.

    Attributes:
        as_of (str):
        custom_label (str):
        domain (str):
        id (str):
        is_favorite (bool):
        notes (str):
        scan_count (int):
        scan_fields (Any): The fields of the last scan by then.
        status (str): active or removed
        tags (list[str]):
        workspace_id (str):
        added_at (None | str | Unset):
        folder_id (None | str | Unset):
        last_scanned (None | str | Unset):
        version (int | None | Unset):
    """

    as_of: str
    custom_label: str
    domain: str
    id: str
    is_favorite: bool
    notes: str
    scan_count: int
    scan_fields: Any
    status: str
    tags: list[str]
    workspace_id: str
    added_at: None | str | Unset = UNSET
    folder_id: None | str | Unset = UNSET
    last_scanned: None | str | Unset = UNSET
    version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        as_of = self.as_of

        custom_label = self.custom_label

        domain = self.domain

        id = self.id

        is_favorite = self.is_favorite

        notes = self.notes

        scan_count = self.scan_count

        scan_fields = self.scan_fields

        status = self.status

        tags = self.tags

        workspace_id = self.workspace_id

        added_at: None | str | Unset
        if isinstance(self.added_at, Unset):
            added_at = UNSET
        else:
            added_at = self.added_at

        folder_id: None | str | Unset
        if isinstance(self.folder_id, Unset):
            folder_id = UNSET
        else:
            folder_id = self.folder_id

        last_scanned: None | str | Unset
        if isinstance(self.last_scanned, Unset):
            last_scanned = UNSET
        else:
            last_scanned = self.last_scanned

        version: int | None | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "as_of": as_of,
                "custom_label": custom_label,
                "domain": domain,
                "id": id,
                "is_favorite": is_favorite,
                "notes": notes,
                "scan_count": scan_count,
                "scan_fields": scan_fields,
                "status": status,
                "tags": tags,
                "workspace_id": workspace_id,
            }
        )
        if added_at is not UNSET:
            field_dict["added_at"] = added_at
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id
        if last_scanned is not UNSET:
            field_dict["last_scanned"] = last_scanned
        if version is not UNSET:
            field_dict["version"] = version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        as_of = d.pop("as_of")

        custom_label = d.pop("custom_label")

        domain = d.pop("domain")

        id = d.pop("id")

        is_favorite = d.pop("is_favorite")

        notes = d.pop("notes")

        scan_count = d.pop("scan_count")

        scan_fields = d.pop("scan_fields")

        status = d.pop("status")

        tags = cast(list[str], d.pop("tags"))

        workspace_id = d.pop("workspace_id")

        def _parse_added_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        added_at = _parse_added_at(d.pop("added_at", UNSET))

        def _parse_folder_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        folder_id = _parse_folder_id(d.pop("folder_id", UNSET))

        def _parse_last_scanned(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_scanned = _parse_last_scanned(d.pop("last_scanned", UNSET))

        def _parse_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        version = _parse_version(d.pop("version", UNSET))

        domain_as_of = cls(
            as_of=as_of,
            custom_label=custom_label,
            domain=domain,
            id=id,
            is_favorite=is_favorite,
            notes=notes,
            scan_count=scan_count,
            scan_fields=scan_fields,
            status=status,
            tags=tags,
            workspace_id=workspace_id,
            added_at=added_at,
            folder_id=folder_id,
            last_scanned=last_scanned,
            version=version,
        )

        domain_as_of.additional_properties = d
        return domain_as_of

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
