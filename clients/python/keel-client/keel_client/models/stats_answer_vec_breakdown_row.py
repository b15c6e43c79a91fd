from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.comparison_vec import ComparisonVec
    from ..models.stats_answer_vec_breakdown_row_data_item import StatsAnswerVecBreakdownRowDataItem
    from ..models.stats_meta import StatsMeta


T = TypeVar("T", bound="StatsAnswerVecBreakdownRow")


@_attrs_define
class StatsAnswerVecBreakdownRow:
    """An analytics answer: `data` and `meta`.

    Attributes:
        data (list[StatsAnswerVecBreakdownRowDataItem]):
        meta (StatsMeta): What an analytics answer covers and where it came from.
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        comparison (ComparisonVec | None | Unset):
    """

    data: list[StatsAnswerVecBreakdownRowDataItem]
    meta: StatsMeta
    status: Success
    comparison: ComparisonVec | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison_vec import ComparisonVec  # noqa: PLC0415

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        status = self.status.value

        comparison: dict[str, Any] | None | Unset
        if isinstance(self.comparison, Unset):
            comparison = UNSET
        elif isinstance(self.comparison, ComparisonVec):
            comparison = self.comparison.to_dict()
        else:
            comparison = self.comparison

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
                "status": status,
            }
        )
        if comparison is not UNSET:
            field_dict["comparison"] = comparison

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_vec import ComparisonVec  # noqa: PLC0415
        from ..models.stats_answer_vec_breakdown_row_data_item import StatsAnswerVecBreakdownRowDataItem  # noqa: PLC0415
        from ..models.stats_meta import StatsMeta  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = StatsAnswerVecBreakdownRowDataItem.from_dict(data_item_data)

            data.append(data_item)

        meta = StatsMeta.from_dict(d.pop("meta"))

        status = Success(d.pop("status"))

        def _parse_comparison(data: object) -> ComparisonVec | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comparison_type_1 = ComparisonVec.from_dict(data)

                return comparison_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComparisonVec | None | Unset, data)

        comparison = _parse_comparison(d.pop("comparison", UNSET))

        stats_answer_vec_breakdown_row = cls(
            data=data,
            meta=meta,
            status=status,
            comparison=comparison,
        )

        stats_answer_vec_breakdown_row.additional_properties = d
        return stats_answer_vec_breakdown_row

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
