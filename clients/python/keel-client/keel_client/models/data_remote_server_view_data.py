from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_remote_server_view_data_tools_item import DataRemoteServerViewDataToolsItem


T = TypeVar("T", bound="DataRemoteServerViewData")


@_attrs_define
class DataRemoteServerViewData:
    """A registered server as the API shows it after a change (from the aggregate's state).

    Attributes:
        active (bool):
        credential_id (int):
        id (str): Its id: the name, also the prefix of its tools on `/mcp` (`<name>.<tool>`).
        name (str):
        protocol_version (str):
        timeout_ms (int):
        title (str):
        tools (list[DataRemoteServerViewDataToolsItem]): The tools as the server listed them (names without the prefix).
        url (str):
        version (int): The stream's version (send it back as `If-Match`).
        credential_header (None | str | Unset): The header the credential is sent in; the credential itself is never
            shown.
        credential_hint (None | str | Unset):
        description (None | str | Unset):
        server_name (None | str | Unset):
        server_version (None | str | Unset):
    """

    active: bool
    credential_id: int
    id: str
    name: str
    protocol_version: str
    timeout_ms: int
    title: str
    tools: list[DataRemoteServerViewDataToolsItem]
    url: str
    version: int
    credential_header: None | str | Unset = UNSET
    credential_hint: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    server_name: None | str | Unset = UNSET
    server_version: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        credential_id = self.credential_id

        id = self.id

        name = self.name

        protocol_version = self.protocol_version

        timeout_ms = self.timeout_ms

        title = self.title

        tools = []
        for tools_item_data in self.tools:
            tools_item = tools_item_data.to_dict()
            tools.append(tools_item)

        url = self.url

        version = self.version

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

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

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
                "credential_id": credential_id,
                "id": id,
                "name": name,
                "protocol_version": protocol_version,
                "timeout_ms": timeout_ms,
                "title": title,
                "tools": tools,
                "url": url,
                "version": version,
            }
        )
        if credential_header is not UNSET:
            field_dict["credential_header"] = credential_header
        if credential_hint is not UNSET:
            field_dict["credential_hint"] = credential_hint
        if description is not UNSET:
            field_dict["description"] = description
        if server_name is not UNSET:
            field_dict["server_name"] = server_name
        if server_version is not UNSET:
            field_dict["server_version"] = server_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_remote_server_view_data_tools_item import DataRemoteServerViewDataToolsItem  # noqa: PLC0415

        d = dict(src_dict)
        active = d.pop("active")

        credential_id = d.pop("credential_id")

        id = d.pop("id")

        name = d.pop("name")

        protocol_version = d.pop("protocol_version")

        timeout_ms = d.pop("timeout_ms")

        title = d.pop("title")

        tools = []
        _tools = d.pop("tools")
        for tools_item_data in _tools:
            tools_item = DataRemoteServerViewDataToolsItem.from_dict(tools_item_data)

            tools.append(tools_item)

        url = d.pop("url")

        version = d.pop("version")

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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

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

        data_remote_server_view_data = cls(
            active=active,
            credential_id=credential_id,
            id=id,
            name=name,
            protocol_version=protocol_version,
            timeout_ms=timeout_ms,
            title=title,
            tools=tools,
            url=url,
            version=version,
            credential_header=credential_header,
            credential_hint=credential_hint,
            description=description,
            server_name=server_name,
            server_version=server_version,
        )

        data_remote_server_view_data.additional_properties = d
        return data_remote_server_view_data

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
