from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SettingsBody")


@_attrs_define
class SettingsBody:
    """How an integration counts subscription revenue (see docs/integrations.md).

    Attributes:
        limited_coupons (None | str | Unset): Whether coupons of limited duration (`repeating`) reduce MRR while they
            last: `ignore`
            or `apply`. Forever coupons always do; once coupons never.
        scheduled_cancellation (None | str | Unset): When a cancellation scheduled for the period's end counts as churn:
            `at_period_end`
            (when the subscription ends) or `immediately` (when it is scheduled).
    """

    limited_coupons: None | str | Unset = UNSET
    scheduled_cancellation: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        limited_coupons: None | str | Unset
        if isinstance(self.limited_coupons, Unset):
            limited_coupons = UNSET
        else:
            limited_coupons = self.limited_coupons

        scheduled_cancellation: None | str | Unset
        if isinstance(self.scheduled_cancellation, Unset):
            scheduled_cancellation = UNSET
        else:
            scheduled_cancellation = self.scheduled_cancellation

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if limited_coupons is not UNSET:
            field_dict["limited_coupons"] = limited_coupons
        if scheduled_cancellation is not UNSET:
            field_dict["scheduled_cancellation"] = scheduled_cancellation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_limited_coupons(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        limited_coupons = _parse_limited_coupons(d.pop("limited_coupons", UNSET))

        def _parse_scheduled_cancellation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scheduled_cancellation = _parse_scheduled_cancellation(d.pop("scheduled_cancellation", UNSET))

        settings_body = cls(
            limited_coupons=limited_coupons,
            scheduled_cancellation=scheduled_cancellation,
        )

        return settings_body
