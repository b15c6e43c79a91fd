from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RemoteServerBody")


@_attrs_define
class RemoteServerBody:
    """Registering or changing a remote MCP server.

    Attributes:
        active (bool | None | Unset): Off: its tools are neither listed nor callable (default on).
        credential (None | str | Unset): The credential the server takes (a token or key), sent in `credential_header`.
            Write
            only: never shown again. `null` removes it.
        credential_header (None | str | Unset): The header the credential is sent in (default `Authorization`, as
            `Bearer <credential>`).
        description (None | str | Unset): An empty description clears it.
        name (None | str | Unset): Registration only: the server's id in the workspace, 1 to 32 of `a-z 0-9 -` (a letter
            first); its tools are `<name>.<tool>` on `/mcp`. Cannot be changed.
        timeout_ms (int | None | Unset): How long a call may take, 1000 to 60000 ms (default 10000).
        title (None | str | Unset):
        url (None | str | Unset): Registration only, required: its Streamable HTTP endpoint (`https://…/mcp`). Changing
            it
            connects again.
    """

    active: bool | None | Unset = UNSET
    credential: None | str | Unset = UNSET
    credential_header: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    timeout_ms: int | None | Unset = UNSET
    title: None | str | Unset = UNSET
    url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        active: bool | None | Unset
        if isinstance(self.active, Unset):
            active = UNSET
        else:
            active = self.active

        credential: None | str | Unset
        if isinstance(self.credential, Unset):
            credential = UNSET
        else:
            credential = self.credential

        credential_header: None | str | Unset
        if isinstance(self.credential_header, Unset):
            credential_header = UNSET
        else:
            credential_header = self.credential_header

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        timeout_ms: int | None | Unset
        if isinstance(self.timeout_ms, Unset):
            timeout_ms = UNSET
        else:
            timeout_ms = self.timeout_ms

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if active is not UNSET:
            field_dict["active"] = active
        if credential is not UNSET:
            field_dict["credential"] = credential
        if credential_header is not UNSET:
            field_dict["credential_header"] = credential_header
        if description is not UNSET:
            field_dict["description"] = description
        if name is not UNSET:
            field_dict["name"] = name
        if timeout_ms is not UNSET:
            field_dict["timeout_ms"] = timeout_ms
        if title is not UNSET:
            field_dict["title"] = title
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_active(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        active = _parse_active(d.pop("active", UNSET))

        def _parse_credential(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential = _parse_credential(d.pop("credential", UNSET))

        def _parse_credential_header(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential_header = _parse_credential_header(d.pop("credential_header", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeout_ms", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        remote_server_body = cls(
            active=active,
            credential=credential,
            credential_header=credential_header,
            description=description,
            name=name,
            timeout_ms=timeout_ms,
            title=title,
            url=url,
        )

        return remote_server_body
