from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.summary_row_config import SummaryRowConfig


T = TypeVar("T", bound="SummaryRow")


@_attrs_define
class SummaryRow:
    """One feature of the workspace's plan, with its usage in the current period.

    Attributes:
        feature (str):
        source (str): `plan` or `override`.
        type_ (str):
        unit (str):
        available (int | None | Unset):
        config (SummaryRowConfig | Unset): Static features only.
        enabled (bool | None | Unset): Boolean features only.
        hard (bool | None | Unset):
        limit (int | None | Unset):
        percentage (float | None | Unset): Used, in percent of the limit, to two decimals; null when unlimited.
        period (None | str | Unset): `day`, `month` or `lifetime`.
        period_start (None | str | Unset):
        reset_at (None | str | Unset):
        used (int | None | Unset): Metered features only, from here to `hard`.
    """

    feature: str
    source: str
    type_: str
    unit: str
    available: int | None | Unset = UNSET
    config: SummaryRowConfig | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    hard: bool | None | Unset = UNSET
    limit: int | None | Unset = UNSET
    percentage: float | None | Unset = UNSET
    period: None | str | Unset = UNSET
    period_start: None | str | Unset = UNSET
    reset_at: None | str | Unset = UNSET
    used: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        feature = self.feature

        source = self.source

        type_ = self.type_

        unit = self.unit

        available: int | None | Unset
        if isinstance(self.available, Unset):
            available = UNSET
        else:
            available = self.available

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

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

        percentage: float | None | Unset
        if isinstance(self.percentage, Unset):
            percentage = UNSET
        else:
            percentage = self.percentage

        period: None | str | Unset
        if isinstance(self.period, Unset):
            period = UNSET
        else:
            period = self.period

        period_start: None | str | Unset
        if isinstance(self.period_start, Unset):
            period_start = UNSET
        else:
            period_start = self.period_start

        reset_at: None | str | Unset
        if isinstance(self.reset_at, Unset):
            reset_at = UNSET
        else:
            reset_at = self.reset_at

        used: int | None | Unset
        if isinstance(self.used, Unset):
            used = UNSET
        else:
            used = self.used

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "feature": feature,
                "source": source,
                "type": type_,
                "unit": unit,
            }
        )
        if available is not UNSET:
            field_dict["available"] = available
        if config is not UNSET:
            field_dict["config"] = config
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if hard is not UNSET:
            field_dict["hard"] = hard
        if limit is not UNSET:
            field_dict["limit"] = limit
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if period is not UNSET:
            field_dict["period"] = period
        if period_start is not UNSET:
            field_dict["period_start"] = period_start
        if reset_at is not UNSET:
            field_dict["reset_at"] = reset_at
        if used is not UNSET:
            field_dict["used"] = used

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_row_config import SummaryRowConfig  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        source = d.pop("source")

        type_ = d.pop("type")

        unit = d.pop("unit")

        def _parse_available(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        available = _parse_available(d.pop("available", UNSET))

        _config = d.pop("config", UNSET)
        config: SummaryRowConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = SummaryRowConfig.from_dict(_config)

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

        def _parse_percentage(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        percentage = _parse_percentage(d.pop("percentage", UNSET))

        def _parse_period(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        period = _parse_period(d.pop("period", UNSET))

        def _parse_period_start(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        period_start = _parse_period_start(d.pop("period_start", UNSET))

        def _parse_reset_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reset_at = _parse_reset_at(d.pop("reset_at", UNSET))

        def _parse_used(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        used = _parse_used(d.pop("used", UNSET))

        summary_row = cls(
            feature=feature,
            source=source,
            type_=type_,
            unit=unit,
            available=available,
            config=config,
            enabled=enabled,
            hard=hard,
            limit=limit,
            percentage=percentage,
            period=period,
            period_start=period_start,
            reset_at=reset_at,
            used=used,
        )

        summary_row.additional_properties = d
        return summary_row

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
