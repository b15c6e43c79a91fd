from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.remote_details import RemoteDetails


T = TypeVar("T", bound="ServerView")


@_attrs_define
class ServerView:
    """An MCP server as core-api lists it: one of Keel's, or a remote one the workspace registered.

    Attributes:
        description (str):
        endpoint (str): Its own MCP endpoint (Streamable HTTP); `/mcp` serves every server.
        id (str): `analytics`, `domains`, `audit`, `keys`, `usage`, or a remote server's name.
        kind (str): `builtin` or `remote`.
        name (str):
        tools (list[str]): The names of the tools this credential may use.
        remote (None | RemoteDetails | Unset):
    """

    description: str
    endpoint: str
    id: str
    kind: str
    name: str
    tools: list[str]
    remote: None | RemoteDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.remote_details import RemoteDetails  # noqa: PLC0415

        description = self.description

        endpoint = self.endpoint

        id = self.id

        kind = self.kind

        name = self.name

        tools = self.tools

        remote: dict[str, Any] | None | Unset
        if isinstance(self.remote, Unset):
            remote = UNSET
        elif isinstance(self.remote, RemoteDetails):
            remote = self.remote.to_dict()
        else:
            remote = self.remote

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "endpoint": endpoint,
                "id": id,
                "kind": kind,
                "name": name,
                "tools": tools,
            }
        )
        if remote is not UNSET:
            field_dict["remote"] = remote

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.remote_details import RemoteDetails  # noqa: PLC0415

        d = dict(src_dict)
        description = d.pop("description")

        endpoint = d.pop("endpoint")

        id = d.pop("id")

        kind = d.pop("kind")

        name = d.pop("name")

        tools = cast(list[str], d.pop("tools"))

        def _parse_remote(data: object) -> None | RemoteDetails | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                remote_type_1 = RemoteDetails.from_dict(data)

                return remote_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RemoteDetails | Unset, data)

        remote = _parse_remote(d.pop("remote", UNSET))

        server_view = cls(
            description=description,
            endpoint=endpoint,
            id=id,
            kind=kind,
            name=name,
            tools=tools,
            remote=remote,
        )

        server_view.additional_properties = d
        return server_view

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
