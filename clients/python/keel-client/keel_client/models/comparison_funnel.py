from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.comparison_funnel_change import ComparisonFunnelChange
    from ..models.comparison_funnel_data import ComparisonFunnelData


T = TypeVar("T", bound="ComparisonFunnel")


@_attrs_define
class ComparisonFunnel:
    """The comparison range's answer, and the change of each figure.

    Attributes:
        change (ComparisonFunnelChange): Per metric: the change in percent (rates: in points), null when the comparison
            is 0;
            for a time series, totals over the range.
        data (ComparisonFunnelData): A funnel: who entered with step 1 in the range, and how far they got within the
            window.
        from_ (str):
        mode (str): `previous_period` (the range just before, as long) or `year_over_year`.
        to (str):
    """

    change: ComparisonFunnelChange
    data: ComparisonFunnelData
    from_: str
    mode: str
    to: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        change = self.change.to_dict()

        data = self.data.to_dict()

        from_ = self.from_

        mode = self.mode

        to = self.to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "change": change,
                "data": data,
                "from": from_,
                "mode": mode,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_funnel_change import ComparisonFunnelChange  # noqa: PLC0415
        from ..models.comparison_funnel_data import ComparisonFunnelData  # noqa: PLC0415

        d = dict(src_dict)
        change = ComparisonFunnelChange.from_dict(d.pop("change"))

        data = ComparisonFunnelData.from_dict(d.pop("data"))

        from_ = d.pop("from")

        mode = d.pop("mode")

        to = d.pop("to")

        comparison_funnel = cls(
            change=change,
            data=data,
            from_=from_,
            mode=mode,
            to=to,
        )

        comparison_funnel.additional_properties = d
        return comparison_funnel

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
