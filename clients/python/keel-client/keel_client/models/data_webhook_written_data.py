from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataWebhookWrittenData")


@_attrs_define
class DataWebhookWrittenData:
    """An endpoint as its writer sees it right after the write (counters from the dispatcher); a
    create and a rotation also show the new secret, this once.

        Attributes:
            consecutive_failures (int):
            events (list[str]):
            failure_count (int):
            id (str):
            is_active (bool):
            secret_hint (str):
            secret_version (int):
            status (str): active, inactive (turned off by a user) or disabled (by the dispatcher, after failures)
            success_count (int):
            url (str):
            version (int):
            workspace_id (str):
            description (None | str | Unset):
            disabled_reason (None | str | Unset):
            last_delivery_at (None | str | Unset):
            previous_valid_until (None | str | Unset): On rotation: until when the previous secret still signs.
            secret (None | str | Unset): The signing secret (`whsec_…`): on create and rotation only, shown once.
    """

    consecutive_failures: int
    events: list[str]
    failure_count: int
    id: str
    is_active: bool
    secret_hint: str
    secret_version: int
    status: str
    success_count: int
    url: str
    version: int
    workspace_id: str
    description: None | str | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    last_delivery_at: None | str | Unset = UNSET
    previous_valid_until: None | str | Unset = UNSET
    secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consecutive_failures = self.consecutive_failures

        events = self.events

        failure_count = self.failure_count

        id = self.id

        is_active = self.is_active

        secret_hint = self.secret_hint

        secret_version = self.secret_version

        status = self.status

        success_count = self.success_count

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

        previous_valid_until: None | str | Unset
        if isinstance(self.previous_valid_until, Unset):
            previous_valid_until = UNSET
        else:
            previous_valid_until = self.previous_valid_until

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consecutive_failures": consecutive_failures,
                "events": events,
                "failure_count": failure_count,
                "id": id,
                "is_active": is_active,
                "secret_hint": secret_hint,
                "secret_version": secret_version,
                "status": status,
                "success_count": success_count,
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
        if previous_valid_until is not UNSET:
            field_dict["previous_valid_until"] = previous_valid_until
        if secret is not UNSET:
            field_dict["secret"] = secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        consecutive_failures = d.pop("consecutive_failures")

        events = cast(list[str], d.pop("events"))

        failure_count = d.pop("failure_count")

        id = d.pop("id")

        is_active = d.pop("is_active")

        secret_hint = d.pop("secret_hint")

        secret_version = d.pop("secret_version")

        status = d.pop("status")

        success_count = d.pop("success_count")

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

        def _parse_previous_valid_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_valid_until = _parse_previous_valid_until(d.pop("previous_valid_until", UNSET))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        data_webhook_written_data = cls(
            consecutive_failures=consecutive_failures,
            events=events,
            failure_count=failure_count,
            id=id,
            is_active=is_active,
            secret_hint=secret_hint,
            secret_version=secret_version,
            status=status,
            success_count=success_count,
            url=url,
            version=version,
            workspace_id=workspace_id,
            description=description,
            disabled_reason=disabled_reason,
            last_delivery_at=last_delivery_at,
            previous_valid_until=previous_valid_until,
            secret=secret,
        )

        data_webhook_written_data.additional_properties = d
        return data_webhook_written_data

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
