from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageRecordView")


@_attrs_define
class UsageRecordView:
    """A usage record as accepted (or found again, for a replayed `usage_id`).

    Attributes:
        current_usage (int): Usage of the feature in the current period, this record included.
        duplicate (bool): A replay of a `usage_id` already recorded: counted once, answered 200.
        feature (str):
        period_start (str):
        quantity (int):
        recorded (bool): Always true: a refused record is an error answer.
        available (int | None | Unset): What is left of the limit (never negative); null when unlimited.
        limit (int | None | Unset): Null: unlimited.
        reset_at (None | str | Unset): When the period ends; null for lifetime features.
    """

    current_usage: int
    duplicate: bool
    feature: str
    period_start: str
    quantity: int
    recorded: bool
    available: int | None | Unset = UNSET
    limit: int | None | Unset = UNSET
    reset_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        current_usage = self.current_usage

        duplicate = self.duplicate

        feature = self.feature

        period_start = self.period_start

        quantity = self.quantity

        recorded = self.recorded

        available: int | None | Unset
        if isinstance(self.available, Unset):
            available = UNSET
        else:
            available = self.available

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        reset_at: None | str | Unset
        if isinstance(self.reset_at, Unset):
            reset_at = UNSET
        else:
            reset_at = self.reset_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "current_usage": current_usage,
                "duplicate": duplicate,
                "feature": feature,
                "period_start": period_start,
                "quantity": quantity,
                "recorded": recorded,
            }
        )
        if available is not UNSET:
            field_dict["available"] = available
        if limit is not UNSET:
            field_dict["limit"] = limit
        if reset_at is not UNSET:
            field_dict["reset_at"] = reset_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        current_usage = d.pop("current_usage")

        duplicate = d.pop("duplicate")

        feature = d.pop("feature")

        period_start = d.pop("period_start")

        quantity = d.pop("quantity")

        recorded = d.pop("recorded")

        def _parse_available(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        available = _parse_available(d.pop("available", UNSET))

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_reset_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reset_at = _parse_reset_at(d.pop("reset_at", UNSET))

        usage_record_view = cls(
            current_usage=current_usage,
            duplicate=duplicate,
            feature=feature,
            period_start=period_start,
            quantity=quantity,
            recorded=recorded,
            available=available,
            limit=limit,
            reset_at=reset_at,
        )

        usage_record_view.additional_properties = d
        return usage_record_view

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
