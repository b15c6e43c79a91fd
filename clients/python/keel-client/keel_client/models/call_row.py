from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CallRow")


@_attrs_define
class CallRow:
    """A tool call as `GET /api/v1/mcp/calls` lists it.

    Attributes:
        actor (str): `key:<id>`, `user:<id>` or `operator`.
        arguments_sha256 (str):
        created_at (str):
        duration_ms (int):
        id (str):
        outcome (str): `ok`, `error` or `refused`.
        server (str):
        tool (str):
        via (str): `mcp` or `rest`.
        client (None | str | Unset):
        error (None | str | Unset):
        protocol_version (None | str | Unset):
        request_id (None | str | Unset): The request that made the call (its id is on every event the call caused).
        status (int | None | Unset): The status of the route the tool called (absent when it never ran).
    """

    actor: str
    arguments_sha256: str
    created_at: str
    duration_ms: int
    id: str
    outcome: str
    server: str
    tool: str
    via: str
    client: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    protocol_version: None | str | Unset = UNSET
    request_id: None | str | Unset = UNSET
    status: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        arguments_sha256 = self.arguments_sha256

        created_at = self.created_at

        duration_ms = self.duration_ms

        id = self.id

        outcome = self.outcome

        server = self.server

        tool = self.tool

        via = self.via

        client: None | str | Unset
        if isinstance(self.client, Unset):
            client = UNSET
        else:
            client = self.client

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        protocol_version: None | str | Unset
        if isinstance(self.protocol_version, Unset):
            protocol_version = UNSET
        else:
            protocol_version = self.protocol_version

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        status: int | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "arguments_sha256": arguments_sha256,
                "created_at": created_at,
                "duration_ms": duration_ms,
                "id": id,
                "outcome": outcome,
                "server": server,
                "tool": tool,
                "via": via,
            }
        )
        if client is not UNSET:
            field_dict["client"] = client
        if error is not UNSET:
            field_dict["error"] = error
        if protocol_version is not UNSET:
            field_dict["protocol_version"] = protocol_version
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        arguments_sha256 = d.pop("arguments_sha256")

        created_at = d.pop("created_at")

        duration_ms = d.pop("duration_ms")

        id = d.pop("id")

        outcome = d.pop("outcome")

        server = d.pop("server")

        tool = d.pop("tool")

        via = d.pop("via")

        def _parse_client(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client = _parse_client(d.pop("client", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_protocol_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        protocol_version = _parse_protocol_version(d.pop("protocol_version", UNSET))

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        def _parse_status(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        call_row = cls(
            actor=actor,
            arguments_sha256=arguments_sha256,
            created_at=created_at,
            duration_ms=duration_ms,
            id=id,
            outcome=outcome,
            server=server,
            tool=tool,
            via=via,
            client=client,
            error=error,
            protocol_version=protocol_version,
            request_id=request_id,
            status=status,
        )

        call_row.additional_properties = d
        return call_row

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
