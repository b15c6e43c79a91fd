from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateBody")


@_attrs_define
class RotateBody:
    """
    Attributes:
        previous_valid_for_seconds (int | None | Unset): How long the previous secret keeps signing (both signatures are
            sent), 0 to 604800
            seconds; default 86400.
    """

    previous_valid_for_seconds: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        previous_valid_for_seconds: int | None | Unset
        if isinstance(self.previous_valid_for_seconds, Unset):
            previous_valid_for_seconds = UNSET
        else:
            previous_valid_for_seconds = self.previous_valid_for_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if previous_valid_for_seconds is not UNSET:
            field_dict["previous_valid_for_seconds"] = previous_valid_for_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_previous_valid_for_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        previous_valid_for_seconds = _parse_previous_valid_for_seconds(d.pop("previous_valid_for_seconds", UNSET))

        rotate_body = cls(
            previous_valid_for_seconds=previous_valid_for_seconds,
        )

        return rotate_body
