from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.comparison_vec_change import ComparisonVecChange
    from ..models.comparison_vec_data_item import ComparisonVecDataItem


T = TypeVar("T", bound="ComparisonVec")


@_attrs_define
class ComparisonVec:
    """The comparison range's answer, and the change of each figure.

    Attributes:
        change (ComparisonVecChange): Per metric: the change in percent (rates: in points), null when the comparison is
            0;
            for a time series, totals over the range.
        data (list[ComparisonVecDataItem]):
        from_ (str):
        mode (str): `previous_period` (the range just before, as long) or `year_over_year`.
        to (str):
    """

    change: ComparisonVecChange
    data: list[ComparisonVecDataItem]
    from_: str
    mode: str
    to: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        change = self.change.to_dict()

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

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
        from ..models.comparison_vec_change import ComparisonVecChange  # noqa: PLC0415
        from ..models.comparison_vec_data_item import ComparisonVecDataItem  # noqa: PLC0415

        d = dict(src_dict)
        change = ComparisonVecChange.from_dict(d.pop("change"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = ComparisonVecDataItem.from_dict(data_item_data)

            data.append(data_item)

        from_ = d.pop("from")

        mode = d.pop("mode")

        to = d.pop("to")

        comparison_vec = cls(
            change=change,
            data=data,
            from_=from_,
            mode=mode,
            to=to,
        )

        comparison_vec.additional_properties = d
        return comparison_vec

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
