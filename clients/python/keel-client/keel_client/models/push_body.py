from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.push_point import PushPoint


T = TypeVar("T", bound="PushBody")


@_attrs_define
class PushBody:
    """Points of custom metrics, pushed in a batch.

    Attributes:
        points (list[PushPoint]): 1 to 1000 points.
    """

    points: list[PushPoint]

    def to_dict(self) -> dict[str, Any]:
        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.push_point import PushPoint  # noqa: PLC0415

        d = dict(src_dict)
        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = PushPoint.from_dict(points_item_data)

            points.append(points_item)

        push_body = cls(
            points=points,
        )

        return push_body
