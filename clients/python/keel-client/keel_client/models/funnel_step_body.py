from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="FunnelStepBody")


@_attrs_define
class FunnelStepBody:
    """One step of a saved funnel.

    Attributes:
        type_ (str): `page` (a pageview of a path) or `goal` (a goal completion). Example: page.
        value (str): The path, starting with `/`, or the goal's name. Example: /pricing.
    """

    type_: str
    value: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        value = d.pop("value")

        funnel_step_body = cls(
            type_=type_,
            value=value,
        )

        return funnel_step_body
