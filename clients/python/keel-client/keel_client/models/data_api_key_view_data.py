from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataApiKeyViewData")


@_attrs_define
class DataApiKeyViewData:
    """An API key as the API shows it: never the secret, never its hash.

    Attributes:
        created_at (str):
        environment (str): `live` or `test`, as the key's prefix says (`keel_live_…`, `keel_test_…`).
        id (str):
        is_active (bool): DNSai's: `status` is `active`.
        key_prefix (str): DNSai's name for `prefix`.
        name (str):
        prefix (str):
        scopes (list[str]):  Example: ['keys:read'].
        status (str): active, expired or revoked
        updated_at (str):
        version (int):
        workspace_id (str):
        as_of (None | str | Unset): Set when the answer is the state as of a past time (`?as_of=`), folded from the log.
        expires_at (None | str | Unset):
        last_used_at (None | str | Unset):
        previous_key_valid_until (None | str | Unset): Until when the secret replaced by the last rotation still works.
        rate_limit_tier (None | str | Unset):  Example: pro.
        rotated_at (None | str | Unset):
        site_id (None | str | Unset): A website key's site: the key reaches only it. `null`: every site.
    """

    created_at: str
    environment: str
    id: str
    is_active: bool
    key_prefix: str
    name: str
    prefix: str
    scopes: list[str]
    status: str
    updated_at: str
    version: int
    workspace_id: str
    as_of: None | str | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    last_used_at: None | str | Unset = UNSET
    previous_key_valid_until: None | str | Unset = UNSET
    rate_limit_tier: None | str | Unset = UNSET
    rotated_at: None | str | Unset = UNSET
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        environment = self.environment

        id = self.id

        is_active = self.is_active

        key_prefix = self.key_prefix

        name = self.name

        prefix = self.prefix

        scopes = self.scopes

        status = self.status

        updated_at = self.updated_at

        version = self.version

        workspace_id = self.workspace_id

        as_of: None | str | Unset
        if isinstance(self.as_of, Unset):
            as_of = UNSET
        else:
            as_of = self.as_of

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

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

        rotated_at: None | str | Unset
        if isinstance(self.rotated_at, Unset):
            rotated_at = UNSET
        else:
            rotated_at = self.rotated_at

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "environment": environment,
                "id": id,
                "is_active": is_active,
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
        if as_of is not UNSET:
            field_dict["as_of"] = as_of
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if last_used_at is not UNSET:
            field_dict["last_used_at"] = last_used_at
        if previous_key_valid_until is not UNSET:
            field_dict["previous_key_valid_until"] = previous_key_valid_until
        if rate_limit_tier is not UNSET:
            field_dict["rate_limit_tier"] = rate_limit_tier
        if rotated_at is not UNSET:
            field_dict["rotated_at"] = rotated_at
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        environment = d.pop("environment")

        id = d.pop("id")

        is_active = d.pop("is_active")

        key_prefix = d.pop("key_prefix")

        name = d.pop("name")

        prefix = d.pop("prefix")

        scopes = cast(list[str], d.pop("scopes"))

        status = d.pop("status")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        def _parse_as_of(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        as_of = _parse_as_of(d.pop("as_of", UNSET))

        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

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

        def _parse_rotated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rotated_at = _parse_rotated_at(d.pop("rotated_at", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        data_api_key_view_data = cls(
            created_at=created_at,
            environment=environment,
            id=id,
            is_active=is_active,
            key_prefix=key_prefix,
            name=name,
            prefix=prefix,
            scopes=scopes,
            status=status,
            updated_at=updated_at,
            version=version,
            workspace_id=workspace_id,
            as_of=as_of,
            expires_at=expires_at,
            last_used_at=last_used_at,
            previous_key_valid_until=previous_key_valid_until,
            rate_limit_tier=rate_limit_tier,
            rotated_at=rotated_at,
            site_id=site_id,
        )

        data_api_key_view_data.additional_properties = d
        return data_api_key_view_data

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
