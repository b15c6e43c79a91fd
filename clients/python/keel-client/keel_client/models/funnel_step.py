from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FunnelStep")


@_attrs_define
class FunnelStep:
    """
    Attributes:
        conversion_rate (float): Percent of step 1's visitors.
        conversion_rate_step (float): Percent of the previous step's visitors.
        dropoff (int): Visitors of the previous step who did not reach this one.
        dropoff_rate (float):
        step (int): 1-based.
        target (str): The page path or the goal name.
        type_ (str): page or goal
        visitors (int):
    """

    conversion_rate: float
    conversion_rate_step: float
    dropoff: int
    dropoff_rate: float
    step: int
    target: str
    type_: str
    visitors: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conversion_rate = self.conversion_rate

        conversion_rate_step = self.conversion_rate_step

        dropoff = self.dropoff

        dropoff_rate = self.dropoff_rate

        step = self.step

        target = self.target

        type_ = self.type_

        visitors = self.visitors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversion_rate": conversion_rate,
                "conversion_rate_step": conversion_rate_step,
                "dropoff": dropoff,
                "dropoff_rate": dropoff_rate,
                "step": step,
                "target": target,
                "type": type_,
                "visitors": visitors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        conversion_rate = d.pop("conversion_rate")

        conversion_rate_step = d.pop("conversion_rate_step")

        dropoff = d.pop("dropoff")

        dropoff_rate = d.pop("dropoff_rate")

        step = d.pop("step")

        target = d.pop("target")

        type_ = d.pop("type")

        visitors = d.pop("visitors")

        funnel_step = cls(
            conversion_rate=conversion_rate,
            conversion_rate_step=conversion_rate_step,
            dropoff=dropoff,
            dropoff_rate=dropoff_rate,
            step=step,
            target=target,
            type_=type_,
            visitors=visitors,
        )

        funnel_step.additional_properties = d
        return funnel_step

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
