from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateKeyBody")


@_attrs_define
class RotateKeyBody:
    """
    Attributes:
        grace_period_hours (int | None | Unset):
    """

    grace_period_hours: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        grace_period_hours: int | None | Unset
        if isinstance(self.grace_period_hours, Unset):
            grace_period_hours = UNSET
        else:
            grace_period_hours = self.grace_period_hours

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_period_hours is not UNSET:
            field_dict["grace_period_hours"] = grace_period_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_grace_period_hours(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        grace_period_hours = _parse_grace_period_hours(d.pop("grace_period_hours", UNSET))

        rotate_key_body = cls(
            grace_period_hours=grace_period_hours,
        )

        return rotate_key_body
