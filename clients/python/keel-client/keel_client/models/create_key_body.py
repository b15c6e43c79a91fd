from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateKeyBody")


@_attrs_define
class CreateKeyBody:
    """
    Attributes:
        name (str):
        environment (None | str | Unset): `live` (default) or `test`: only the prefix differs (`keel_live_…`,
            `keel_test_…`), so
            test keys are told apart by eye and by secret scanners. Example: live.
        expires_at (datetime.datetime | None | Unset):
        rate_limit_tier (None | str | Unset):  Example: pro.
        scopes (list[str] | None | Unset): Without it (as DNSai creates keys, by name only): every `:read` scope the
            creator holds. Example: ['keys:read', 'keys:write'].
        site_id (None | str | Unset): A website key (DataFast's `df_` key): it reaches only this site of the workspace —
            its
            routes, events, goals, payments, identify calls and metrics — and a body without
            `site_id` means this site.
    """

    name: str
    environment: None | str | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    rate_limit_tier: None | str | Unset = UNSET
    scopes: list[str] | None | Unset = UNSET
    site_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        environment: None | str | Unset
        if isinstance(self.environment, Unset):
            environment = UNSET
        else:
            environment = self.environment

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        rate_limit_tier: None | str | Unset
        if isinstance(self.rate_limit_tier, Unset):
            rate_limit_tier = UNSET
        else:
            rate_limit_tier = self.rate_limit_tier

        scopes: list[str] | None | Unset
        if isinstance(self.scopes, Unset):
            scopes = UNSET
        elif isinstance(self.scopes, list):
            scopes = self.scopes

        else:
            scopes = self.scopes

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if environment is not UNSET:
            field_dict["environment"] = environment
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if rate_limit_tier is not UNSET:
            field_dict["rate_limit_tier"] = rate_limit_tier
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_environment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        environment = _parse_environment(d.pop("environment", UNSET))

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_rate_limit_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rate_limit_tier = _parse_rate_limit_tier(d.pop("rate_limit_tier", UNSET))

        def _parse_scopes(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                scopes_type_0 = cast(list[str], data)

                return scopes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        scopes = _parse_scopes(d.pop("scopes", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        create_key_body = cls(
            name=name,
            environment=environment,
            expires_at=expires_at,
            rate_limit_tier=rate_limit_tier,
            scopes=scopes,
            site_id=site_id,
        )

        return create_key_body
