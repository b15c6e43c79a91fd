from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.page_event_data_item_data import PageEventDataItemData


T = TypeVar("T", bound="PageEventDataItem")


@_attrs_define
class PageEventDataItem:
    """[`public_event`] before it becomes a JSON tree: serialized straight to text where only text
    is needed (webhook bodies). Fields in alphabetical order, as a JSON object prints them. Also
    the schema of every history and audit row in the OpenAPI document.

        Attributes:
            actor (str): `operator`, `key:<id>`, `user:<id>` or `system`
            data (PageEventDataItemData): The event's fields, always in the type's current shape (the row may hold an older
                one).
            event_id (str):
            event_type (str): e.g. `key.rotated`
            occurred_at (str):
            position (int): Position in the log (global order).
            recorded_at (str):
            schema_version (int):
            stored_schema_version (int):
            stream_id (str):
            version (int): Version of its stream.
            workspace_id (str):
            causation_id (None | str | Unset): The event that caused this one, if any.
            client_ip (None | str | Unset): The address the command came from, when it came over HTTP.
            correlation_id (None | str | Unset):
            request_id (None | str | Unset):
    """

    actor: str
    data: PageEventDataItemData
    event_id: str
    event_type: str
    occurred_at: str
    position: int
    recorded_at: str
    schema_version: int
    stored_schema_version: int
    stream_id: str
    version: int
    workspace_id: str
    causation_id: None | str | Unset = UNSET
    client_ip: None | str | Unset = UNSET
    correlation_id: None | str | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        data = self.data.to_dict()

        event_id = self.event_id

        event_type = self.event_type

        occurred_at = self.occurred_at

        position = self.position

        recorded_at = self.recorded_at

        schema_version = self.schema_version

        stored_schema_version = self.stored_schema_version

        stream_id = self.stream_id

        version = self.version

        workspace_id = self.workspace_id

        causation_id: None | str | Unset
        if isinstance(self.causation_id, Unset):
            causation_id = UNSET
        else:
            causation_id = self.causation_id

        client_ip: None | str | Unset
        if isinstance(self.client_ip, Unset):
            client_ip = UNSET
        else:
            client_ip = self.client_ip

        correlation_id: None | str | Unset
        if isinstance(self.correlation_id, Unset):
            correlation_id = UNSET
        else:
            correlation_id = self.correlation_id

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "data": data,
                "event_id": event_id,
                "event_type": event_type,
                "occurred_at": occurred_at,
                "position": position,
                "recorded_at": recorded_at,
                "schema_version": schema_version,
                "stored_schema_version": stored_schema_version,
                "stream_id": stream_id,
                "version": version,
                "workspace_id": workspace_id,
            }
        )
        if causation_id is not UNSET:
            field_dict["causation_id"] = causation_id
        if client_ip is not UNSET:
            field_dict["client_ip"] = client_ip
        if correlation_id is not UNSET:
            field_dict["correlation_id"] = correlation_id
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.page_event_data_item_data import PageEventDataItemData  # noqa: PLC0415

        d = dict(src_dict)
        actor = d.pop("actor")

        data = PageEventDataItemData.from_dict(d.pop("data"))

        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        occurred_at = d.pop("occurred_at")

        position = d.pop("position")

        recorded_at = d.pop("recorded_at")

        schema_version = d.pop("schema_version")

        stored_schema_version = d.pop("stored_schema_version")

        stream_id = d.pop("stream_id")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        def _parse_causation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        causation_id = _parse_causation_id(d.pop("causation_id", UNSET))

        def _parse_client_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_ip = _parse_client_ip(d.pop("client_ip", UNSET))

        def _parse_correlation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        correlation_id = _parse_correlation_id(d.pop("correlation_id", UNSET))

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        page_event_data_item = cls(
            actor=actor,
            data=data,
            event_id=event_id,
            event_type=event_type,
            occurred_at=occurred_at,
            position=position,
            recorded_at=recorded_at,
            schema_version=schema_version,
            stored_schema_version=stored_schema_version,
            stream_id=stream_id,
            version=version,
            workspace_id=workspace_id,
            causation_id=causation_id,
            client_ip=client_ip,
            correlation_id=correlation_id,
            request_id=request_id,
        )

        page_event_data_item.additional_properties = d
        return page_event_data_item

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
