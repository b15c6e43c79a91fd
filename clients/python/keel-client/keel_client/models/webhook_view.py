from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookView")


@_attrs_define
class WebhookView:
    """A webhook endpoint as the API shows it: never its secret.

    Attributes:
        consecutive_failures (int):
        created_at (str):
        events (list[str]): Event type patterns: `key.rotated`, `domain.*`, `*`.
        failure_count (int):
        id (str):
        is_active (bool):
        secret_hint (str): The first characters of the signing secret.
        secret_version (int):
        status (str): active, inactive (turned off by a user) or disabled (by the dispatcher, after failures)
        success_count (int):
        updated_at (str):
        url (str):
        version (int):
        workspace_id (str):
        description (None | str | Unset):
        disabled_reason (None | str | Unset):
        last_delivery_at (None | str | Unset):
    """

    consecutive_failures: int
    created_at: str
    events: list[str]
    failure_count: int
    id: str
    is_active: bool
    secret_hint: str
    secret_version: int
    status: str
    success_count: int
    updated_at: str
    url: str
    version: int
    workspace_id: str
    description: None | str | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    last_delivery_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consecutive_failures = self.consecutive_failures

        created_at = self.created_at

        events = self.events

        failure_count = self.failure_count

        id = self.id

        is_active = self.is_active

        secret_hint = self.secret_hint

        secret_version = self.secret_version

        status = self.status

        success_count = self.success_count

        updated_at = self.updated_at

        url = self.url

        version = self.version

        workspace_id = self.workspace_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        last_delivery_at: None | str | Unset
        if isinstance(self.last_delivery_at, Unset):
            last_delivery_at = UNSET
        else:
            last_delivery_at = self.last_delivery_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consecutive_failures": consecutive_failures,
                "created_at": created_at,
                "events": events,
                "failure_count": failure_count,
                "id": id,
                "is_active": is_active,
                "secret_hint": secret_hint,
                "secret_version": secret_version,
                "status": status,
                "success_count": success_count,
                "updated_at": updated_at,
                "url": url,
                "version": version,
                "workspace_id": workspace_id,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if last_delivery_at is not UNSET:
            field_dict["last_delivery_at"] = last_delivery_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        consecutive_failures = d.pop("consecutive_failures")

        created_at = d.pop("created_at")

        events = cast(list[str], d.pop("events"))

        failure_count = d.pop("failure_count")

        id = d.pop("id")

        is_active = d.pop("is_active")

        secret_hint = d.pop("secret_hint")

        secret_version = d.pop("secret_version")

        status = d.pop("status")

        success_count = d.pop("success_count")

        updated_at = d.pop("updated_at")

        url = d.pop("url")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

        def _parse_last_delivery_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_delivery_at = _parse_last_delivery_at(d.pop("last_delivery_at", UNSET))

        webhook_view = cls(
            consecutive_failures=consecutive_failures,
            created_at=created_at,
            events=events,
            failure_count=failure_count,
            id=id,
            is_active=is_active,
            secret_hint=secret_hint,
            secret_version=secret_version,
            status=status,
            success_count=success_count,
            updated_at=updated_at,
            url=url,
            version=version,
            workspace_id=workspace_id,
            description=description,
            disabled_reason=disabled_reason,
            last_delivery_at=last_delivery_at,
        )

        webhook_view.additional_properties = d
        return webhook_view

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
