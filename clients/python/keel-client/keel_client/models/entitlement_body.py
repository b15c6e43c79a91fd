from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.entitlement_body_config_type_0 import EntitlementBodyConfigType0


T = TypeVar("T", bound="EntitlementBody")


@_attrs_define
class EntitlementBody:
    """
    Attributes:
        config (EntitlementBodyConfigType0 | None | Unset): Static: any JSON value.
        enabled (bool | None | Unset): Boolean: granted or not.
        hard (bool | None | Unset): Metered: refuse usage past the limit (default true).
        limit (int | None | Unset): Metered: the limit per period; null for unlimited.
        period (None | str | Unset): Metered: `day`, `month` (from the billing anchor day) or `lifetime`.
        type_ (None | str | Unset): `metered`, `boolean` or `static`.
        unit (None | str | Unset):
    """

    config: EntitlementBodyConfigType0 | None | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    hard: bool | None | Unset = UNSET
    limit: int | None | Unset = UNSET
    period: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    unit: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.entitlement_body_config_type_0 import EntitlementBodyConfigType0  # noqa: PLC0415

        config: dict[str, Any] | None | Unset
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, EntitlementBodyConfigType0):
            config = self.config.to_dict()
        else:
            config = self.config

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        hard: bool | None | Unset
        if isinstance(self.hard, Unset):
            hard = UNSET
        else:
            hard = self.hard

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        period: None | str | Unset
        if isinstance(self.period, Unset):
            period = UNSET
        else:
            period = self.period

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        unit: None | str | Unset
        if isinstance(self.unit, Unset):
            unit = UNSET
        else:
            unit = self.unit

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if config is not UNSET:
            field_dict["config"] = config
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if hard is not UNSET:
            field_dict["hard"] = hard
        if limit is not UNSET:
            field_dict["limit"] = limit
        if period is not UNSET:
            field_dict["period"] = period
        if type_ is not UNSET:
            field_dict["type"] = type_
        if unit is not UNSET:
            field_dict["unit"] = unit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entitlement_body_config_type_0 import EntitlementBodyConfigType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_config(data: object) -> EntitlementBodyConfigType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = EntitlementBodyConfigType0.from_dict(data)

                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EntitlementBodyConfigType0 | None | Unset, data)

        config = _parse_config(d.pop("config", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        def _parse_hard(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        hard = _parse_hard(d.pop("hard", UNSET))

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_period(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        period = _parse_period(d.pop("period", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_unit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit = _parse_unit(d.pop("unit", UNSET))

        entitlement_body = cls(
            config=config,
            enabled=enabled,
            hard=hard,
            limit=limit,
            period=period,
            type_=type_,
            unit=unit,
        )

        return entitlement_body
