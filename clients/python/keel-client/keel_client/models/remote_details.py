from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RemoteDetails")


@_attrs_define
class RemoteDetails:
    """A remote server's registration.

    Attributes:
        active (bool):
        protocol_version (str):
        registered_at (str):
        timeout_ms (int):
        updated_at (str):
        url (str):
        credential_header (None | str | Unset):
        credential_hint (None | str | Unset):
        server_name (None | str | Unset):
        server_version (None | str | Unset):
    """

    active: bool
    protocol_version: str
    registered_at: str
    timeout_ms: int
    updated_at: str
    url: str
    credential_header: None | str | Unset = UNSET
    credential_hint: None | str | Unset = UNSET
    server_name: None | str | Unset = UNSET
    server_version: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        protocol_version = self.protocol_version

        registered_at = self.registered_at

        timeout_ms = self.timeout_ms

        updated_at = self.updated_at

        url = self.url

        credential_header: None | str | Unset
        if isinstance(self.credential_header, Unset):
            credential_header = UNSET
        else:
            credential_header = self.credential_header

        credential_hint: None | str | Unset
        if isinstance(self.credential_hint, Unset):
            credential_hint = UNSET
        else:
            credential_hint = self.credential_hint

        server_name: None | str | Unset
        if isinstance(self.server_name, Unset):
            server_name = UNSET
        else:
            server_name = self.server_name

        server_version: None | str | Unset
        if isinstance(self.server_version, Unset):
            server_version = UNSET
        else:
            server_version = self.server_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "protocol_version": protocol_version,
                "registered_at": registered_at,
                "timeout_ms": timeout_ms,
                "updated_at": updated_at,
                "url": url,
            }
        )
        if credential_header is not UNSET:
            field_dict["credential_header"] = credential_header
        if credential_hint is not UNSET:
            field_dict["credential_hint"] = credential_hint
        if server_name is not UNSET:
            field_dict["server_name"] = server_name
        if server_version is not UNSET:
            field_dict["server_version"] = server_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        active = d.pop("active")

        protocol_version = d.pop("protocol_version")

        registered_at = d.pop("registered_at")

        timeout_ms = d.pop("timeout_ms")

        updated_at = d.pop("updated_at")

        url = d.pop("url")

        def _parse_credential_header(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential_header = _parse_credential_header(d.pop("credential_header", UNSET))

        def _parse_credential_hint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential_hint = _parse_credential_hint(d.pop("credential_hint", UNSET))

        def _parse_server_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        server_name = _parse_server_name(d.pop("server_name", UNSET))

        def _parse_server_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        server_version = _parse_server_version(d.pop("server_version", UNSET))

        remote_details = cls(
            active=active,
            protocol_version=protocol_version,
            registered_at=registered_at,
            timeout_ms=timeout_ms,
            updated_at=updated_at,
            url=url,
            credential_header=credential_header,
            credential_hint=credential_hint,
            server_name=server_name,
            server_version=server_version,
        )

        remote_details.additional_properties = d
        return remote_details

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
