from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.entitlement_view_config_type_0 import EntitlementViewConfigType0


T = TypeVar("T", bound="EntitlementView")


@_attrs_define
class EntitlementView:
    """The workspace's entitlement of a feature.

    Attributes:
        enabled (bool):
        feature (str):
        hard (bool):
        period (str):
        source (str): `plan` or `override`.
        type_ (str):
        unit (str):
        config (EntitlementViewConfigType0 | None | Unset):
        limit (int | None | Unset):
    """

    enabled: bool
    feature: str
    hard: bool
    period: str
    source: str
    type_: str
    unit: str
    config: EntitlementViewConfigType0 | None | Unset = UNSET
    limit: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.entitlement_view_config_type_0 import EntitlementViewConfigType0  # noqa: PLC0415

        enabled = self.enabled

        feature = self.feature

        hard = self.hard

        period = self.period

        source = self.source

        type_ = self.type_

        unit = self.unit

        config: dict[str, Any] | None | Unset
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, EntitlementViewConfigType0):
            config = self.config.to_dict()
        else:
            config = self.config

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "feature": feature,
                "hard": hard,
                "period": period,
                "source": source,
                "type": type_,
                "unit": unit,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entitlement_view_config_type_0 import EntitlementViewConfigType0  # noqa: PLC0415

        d = dict(src_dict)
        enabled = d.pop("enabled")

        feature = d.pop("feature")

        hard = d.pop("hard")

        period = d.pop("period")

        source = d.pop("source")

        type_ = d.pop("type")

        unit = d.pop("unit")

        def _parse_config(data: object) -> EntitlementViewConfigType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = EntitlementViewConfigType0.from_dict(data)

                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EntitlementViewConfigType0 | None | Unset, data)

        config = _parse_config(d.pop("config", UNSET))

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        entitlement_view = cls(
            enabled=enabled,
            feature=feature,
            hard=hard,
            period=period,
            source=source,
            type_=type_,
            unit=unit,
            config=config,
            limit=limit,
        )

        entitlement_view.additional_properties = d
        return entitlement_view

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
