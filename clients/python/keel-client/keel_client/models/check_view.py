from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.check_view_config import CheckViewConfig


T = TypeVar("T", bound="CheckView")


@_attrs_define
class CheckView:
    """Whether an amount of a feature may be used now.

    Attributes:
        allowed (bool):
        feature (str):
        type_ (str): `metered`, `boolean` or `static`.
        available (int | None | Unset): Metered features only; null when unlimited.
        config (CheckViewConfig | Unset): Static features only: their value.
        current_usage (int | None | Unset): Metered features only.
        hard (bool | None | Unset): Metered features only: whether usage past the limit is refused.
        limit (int | None | Unset): Metered features only; null when unlimited.
        reason (None | str | Unset): `LIMIT_EXCEEDED`, `FEATURE_NOT_IN_PLAN`, or null.
        reset_at (None | str | Unset): Metered features only; null for lifetime features.
    """

    allowed: bool
    feature: str
    type_: str
    available: int | None | Unset = UNSET
    config: CheckViewConfig | Unset = UNSET
    current_usage: int | None | Unset = UNSET
    hard: bool | None | Unset = UNSET
    limit: int | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    reset_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed = self.allowed

        feature = self.feature

        type_ = self.type_

        available: int | None | Unset
        if isinstance(self.available, Unset):
            available = UNSET
        else:
            available = self.available

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        current_usage: int | None | Unset
        if isinstance(self.current_usage, Unset):
            current_usage = UNSET
        else:
            current_usage = self.current_usage

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

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        reset_at: None | str | Unset
        if isinstance(self.reset_at, Unset):
            reset_at = UNSET
        else:
            reset_at = self.reset_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed": allowed,
                "feature": feature,
                "type": type_,
            }
        )
        if available is not UNSET:
            field_dict["available"] = available
        if config is not UNSET:
            field_dict["config"] = config
        if current_usage is not UNSET:
            field_dict["current_usage"] = current_usage
        if hard is not UNSET:
            field_dict["hard"] = hard
        if limit is not UNSET:
            field_dict["limit"] = limit
        if reason is not UNSET:
            field_dict["reason"] = reason
        if reset_at is not UNSET:
            field_dict["reset_at"] = reset_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.check_view_config import CheckViewConfig  # noqa: PLC0415

        d = dict(src_dict)
        allowed = d.pop("allowed")

        feature = d.pop("feature")

        type_ = d.pop("type")

        def _parse_available(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        available = _parse_available(d.pop("available", UNSET))

        _config = d.pop("config", UNSET)
        config: CheckViewConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = CheckViewConfig.from_dict(_config)

        def _parse_current_usage(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        current_usage = _parse_current_usage(d.pop("current_usage", UNSET))

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

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_reset_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reset_at = _parse_reset_at(d.pop("reset_at", UNSET))

        check_view = cls(
            allowed=allowed,
            feature=feature,
            type_=type_,
            available=available,
            config=config,
            current_usage=current_usage,
            hard=hard,
            limit=limit,
            reason=reason,
            reset_at=reset_at,
        )

        check_view.additional_properties = d
        return check_view

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
