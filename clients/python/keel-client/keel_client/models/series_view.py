from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.series_point import SeriesPoint


T = TypeVar("T", bound="SeriesView")


@_attrs_define
class SeriesView:
    """Usage of a feature per interval, zero-filled.

    Attributes:
        feature (str):
        from_ (str):
        interval (str): `hour` or `day`.
        points (list[SeriesPoint]):
        to (str):
        total (int):
        unit (str):
    """

    feature: str
    from_: str
    interval: str
    points: list[SeriesPoint]
    to: str
    total: int
    unit: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        feature = self.feature

        from_ = self.from_

        interval = self.interval

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        to = self.to

        total = self.total

        unit = self.unit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "feature": feature,
                "from": from_,
                "interval": interval,
                "points": points,
                "to": to,
                "total": total,
                "unit": unit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.series_point import SeriesPoint  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        from_ = d.pop("from")

        interval = d.pop("interval")

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = SeriesPoint.from_dict(points_item_data)

            points.append(points_item)

        to = d.pop("to")

        total = d.pop("total")

        unit = d.pop("unit")

        series_view = cls(
            feature=feature,
            from_=from_,
            interval=interval,
            points=points,
            to=to,
            total=total,
            unit=unit,
        )

        series_view.additional_properties = d
        return series_view

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
