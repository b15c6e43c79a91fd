from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.comparison_row import ComparisonRow
    from ..models.query_row_metrics_item import QueryRowMetricsItem


T = TypeVar("T", bound="QueryRow")


@_attrs_define
class QueryRow:
    """One row: its dimensions' values and its metrics, in the query's orders.

    Attributes:
        dimensions (list[str]):
        metrics (list[QueryRowMetricsItem]):
        comparison (ComparisonRow | None | Unset):
    """

    dimensions: list[str]
    metrics: list[QueryRowMetricsItem]
    comparison: ComparisonRow | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison_row import ComparisonRow  # noqa: PLC0415

        dimensions = self.dimensions

        metrics = []
        for metrics_item_data in self.metrics:
            metrics_item = metrics_item_data.to_dict()
            metrics.append(metrics_item)

        comparison: dict[str, Any] | None | Unset
        if isinstance(self.comparison, Unset):
            comparison = UNSET
        elif isinstance(self.comparison, ComparisonRow):
            comparison = self.comparison.to_dict()
        else:
            comparison = self.comparison

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dimensions": dimensions,
                "metrics": metrics,
            }
        )
        if comparison is not UNSET:
            field_dict["comparison"] = comparison

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_row import ComparisonRow  # noqa: PLC0415
        from ..models.query_row_metrics_item import QueryRowMetricsItem  # noqa: PLC0415

        d = dict(src_dict)
        dimensions = cast(list[str], d.pop("dimensions"))

        metrics = []
        _metrics = d.pop("metrics")
        for metrics_item_data in _metrics:
            metrics_item = QueryRowMetricsItem.from_dict(metrics_item_data)

            metrics.append(metrics_item)

        def _parse_comparison(data: object) -> ComparisonRow | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comparison_type_1 = ComparisonRow.from_dict(data)

                return comparison_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComparisonRow | None | Unset, data)

        comparison = _parse_comparison(d.pop("comparison", UNSET))

        query_row = cls(
            dimensions=dimensions,
            metrics=metrics,
            comparison=comparison,
        )

        query_row.additional_properties = d
        return query_row

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
