from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataKeyWithSecretData")


@_attrs_define
class DataKeyWithSecretData:
    """A key with its secret: the answer to a creation or a rotation, the only times the secret is
    shown. The same type is the OpenAPI schema (`KeyWithSecret`).

        Attributes:
            environment (str): `live` or `test`, as the prefix says.
            id (str):
            is_active (bool): DNSai's: `status` is `active`.
            key (str): The full secret. Store it now: it is never shown again.
            key_prefix (str): DNSai's name for `prefix`.
            name (str):
            prefix (str): The first characters of the secret, shown in listings (`keel_live_Zsm6al`).
            scopes (list[str]):  Example: ['keys:read', 'keys:write'].
            status (str): Always `active`: a new or just-rotated key.
            updated_at (str):
            version (int):
            workspace_id (str):
            created_at (None | str | Unset): At creation only.
            expires_at (None | str | Unset):
            grace_period_ends_at (None | str | Unset): core-api's name for `previous_key_valid_until`; at rotation only.
            last_used_at (None | str | Unset): At creation only, and `null` then: the key has not been used yet.
            previous_key_valid_until (None | str | Unset): Until when the replaced secret still works; at rotation only.
            rate_limit_tier (None | str | Unset):  Example: pro.
            site_id (None | str | Unset): A website key's site; `null`: every site.
    """

    environment: str
    id: str
    is_active: bool
    key: str
    key_prefix: str
    name: str
    prefix: str
    scopes: list[str]
    status: str
    updated_at: str
    version: int
    workspace_id: str
    created_at: None | str | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    grace_period_ends_at: None | str | Unset = UNSET
    last_used_at: None | str | Unset = UNSET
    previous_key_valid_until: None | str | Unset = UNSET
    rate_limit_tier: None | str | Unset = UNSET
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        environment = self.environment

        id = self.id

        is_active = self.is_active

        key = self.key

        key_prefix = self.key_prefix

        name = self.name

        prefix = self.prefix

        scopes = self.scopes

        status = self.status

        updated_at = self.updated_at

        version = self.version

        workspace_id = self.workspace_id

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        grace_period_ends_at: None | str | Unset
        if isinstance(self.grace_period_ends_at, Unset):
            grace_period_ends_at = UNSET
        else:
            grace_period_ends_at = self.grace_period_ends_at

        last_used_at: None | str | Unset
        if isinstance(self.last_used_at, Unset):
            last_used_at = UNSET
        else:
            last_used_at = self.last_used_at

        previous_key_valid_until: None | str | Unset
        if isinstance(self.previous_key_valid_until, Unset):
            previous_key_valid_until = UNSET
        else:
            previous_key_valid_until = self.previous_key_valid_until

        rate_limit_tier: None | str | Unset
        if isinstance(self.rate_limit_tier, Unset):
            rate_limit_tier = UNSET
        else:
            rate_limit_tier = self.rate_limit_tier

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "environment": environment,
                "id": id,
                "is_active": is_active,
                "key": key,
                "key_prefix": key_prefix,
                "name": name,
                "prefix": prefix,
                "scopes": scopes,
                "status": status,
                "updated_at": updated_at,
                "version": version,
                "workspace_id": workspace_id,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if grace_period_ends_at is not UNSET:
            field_dict["grace_period_ends_at"] = grace_period_ends_at
        if last_used_at is not UNSET:
            field_dict["last_used_at"] = last_used_at
        if previous_key_valid_until is not UNSET:
            field_dict["previous_key_valid_until"] = previous_key_valid_until
        if rate_limit_tier is not UNSET:
            field_dict["rate_limit_tier"] = rate_limit_tier
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        environment = d.pop("environment")

        id = d.pop("id")

        is_active = d.pop("is_active")

        key = d.pop("key")

        key_prefix = d.pop("key_prefix")

        name = d.pop("name")

        prefix = d.pop("prefix")

        scopes = cast(list[str], d.pop("scopes"))

        status = d.pop("status")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_grace_period_ends_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        grace_period_ends_at = _parse_grace_period_ends_at(d.pop("grace_period_ends_at", UNSET))

        def _parse_last_used_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at", UNSET))

        def _parse_previous_key_valid_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_key_valid_until = _parse_previous_key_valid_until(d.pop("previous_key_valid_until", UNSET))

        def _parse_rate_limit_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rate_limit_tier = _parse_rate_limit_tier(d.pop("rate_limit_tier", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        data_key_with_secret_data = cls(
            environment=environment,
            id=id,
            is_active=is_active,
            key=key,
            key_prefix=key_prefix,
            name=name,
            prefix=prefix,
            scopes=scopes,
            status=status,
            updated_at=updated_at,
            version=version,
            workspace_id=workspace_id,
            created_at=created_at,
            expires_at=expires_at,
            grace_period_ends_at=grace_period_ends_at,
            last_used_at=last_used_at,
            previous_key_valid_until=previous_key_valid_until,
            rate_limit_tier=rate_limit_tier,
            site_id=site_id,
        )

        data_key_with_secret_data.additional_properties = d
        return data_key_with_secret_data

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
