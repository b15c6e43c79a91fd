from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.comparison_metrics import ComparisonMetrics
    from ..models.stats_answer_metrics_data import StatsAnswerMetricsData
    from ..models.stats_meta import StatsMeta


T = TypeVar("T", bound="StatsAnswerMetrics")


@_attrs_define
class StatsAnswerMetrics:
    """An analytics answer: `data` and `meta`.

    Attributes:
        data (StatsAnswerMetricsData): One group's metrics: those asked for with `metrics=` (absent ones are left out).
        meta (StatsMeta): What an analytics answer covers and where it came from.
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        comparison (ComparisonMetrics | None | Unset):
    """

    data: StatsAnswerMetricsData
    meta: StatsMeta
    status: Success
    comparison: ComparisonMetrics | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison_metrics import ComparisonMetrics  # noqa: PLC0415

        data = self.data.to_dict()

        meta = self.meta.to_dict()

        status = self.status.value

        comparison: dict[str, Any] | None | Unset
        if isinstance(self.comparison, Unset):
            comparison = UNSET
        elif isinstance(self.comparison, ComparisonMetrics):
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
        from ..models.comparison_metrics import ComparisonMetrics  # noqa: PLC0415
        from ..models.stats_answer_metrics_data import StatsAnswerMetricsData  # noqa: PLC0415
        from ..models.stats_meta import StatsMeta  # noqa: PLC0415

        d = dict(src_dict)
        data = StatsAnswerMetricsData.from_dict(d.pop("data"))

        meta = StatsMeta.from_dict(d.pop("meta"))

        status = Success(d.pop("status"))

        def _parse_comparison(data: object) -> ComparisonMetrics | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comparison_type_1 = ComparisonMetrics.from_dict(data)

                return comparison_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComparisonMetrics | None | Unset, data)

        comparison = _parse_comparison(d.pop("comparison", UNSET))

        stats_answer_metrics = cls(
            data=data,
            meta=meta,
            status=status,
            comparison=comparison,
        )

        stats_answer_metrics.additional_properties = d
        return stats_answer_metrics

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
