from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.comparison_row_change_item import ComparisonRowChangeItem
    from ..models.comparison_row_metrics_item import ComparisonRowMetricsItem


T = TypeVar("T", bound="ComparisonRow")


@_attrs_define
class ComparisonRow:
    """
    Attributes:
        change (list[ComparisonRowChangeItem]): Per metric: the change in percent (rates: in points), null when the
            comparison is 0.
        dimensions (list[str]):
        metrics (list[ComparisonRowMetricsItem]):
    """

    change: list[ComparisonRowChangeItem]
    dimensions: list[str]
    metrics: list[ComparisonRowMetricsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        change = []
        for change_item_data in self.change:
            change_item = change_item_data.to_dict()
            change.append(change_item)

        dimensions = self.dimensions

        metrics = []
        for metrics_item_data in self.metrics:
            metrics_item = metrics_item_data.to_dict()
            metrics.append(metrics_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "change": change,
                "dimensions": dimensions,
                "metrics": metrics,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_row_change_item import ComparisonRowChangeItem  # noqa: PLC0415
        from ..models.comparison_row_metrics_item import ComparisonRowMetricsItem  # noqa: PLC0415

        d = dict(src_dict)
        change = []
        _change = d.pop("change")
        for change_item_data in _change:
            change_item = ComparisonRowChangeItem.from_dict(change_item_data)

            change.append(change_item)

        dimensions = cast(list[str], d.pop("dimensions"))

        metrics = []
        _metrics = d.pop("metrics")
        for metrics_item_data in _metrics:
            metrics_item = ComparisonRowMetricsItem.from_dict(metrics_item_data)

            metrics.append(metrics_item)

        comparison_row = cls(
            change=change,
            dimensions=dimensions,
            metrics=metrics,
        )

        comparison_row.additional_properties = d
        return comparison_row

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
