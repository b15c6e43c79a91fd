from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.push_point_metadata import PushPointMetadata


T = TypeVar("T", bound="PushPoint")


@_attrs_define
class PushPoint:
    """One point of a custom metric (Dashtray's fields).

    Attributes:
        metric_id (str): 1 to 100 of `a-z 0-9 _ . -`, a letter first; not one of Keel's own metrics.
        value (float):
        id (None | str | Unset): Your id of the point: a point pushed again with the same id (and metric) is a
            duplicate,
            recorded once. Without one, every push is a new point.
        metadata (PushPointMetadata | Unset):
        timestamp (int | None | Unset): Milliseconds since the Unix epoch (default now).
        unit (None | str | Unset): `USD`, `count`, `%`… (at most 32 characters).
    """

    metric_id: str
    value: float
    id: None | str | Unset = UNSET
    metadata: PushPointMetadata | Unset = UNSET
    timestamp: int | None | Unset = UNSET
    unit: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        metric_id = self.metric_id

        value = self.value

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        timestamp: int | None | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = self.timestamp

        unit: None | str | Unset
        if isinstance(self.unit, Unset):
            unit = UNSET
        else:
            unit = self.unit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metric_id": metric_id,
                "value": value,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if unit is not UNSET:
            field_dict["unit"] = unit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.push_point_metadata import PushPointMetadata  # noqa: PLC0415

        d = dict(src_dict)
        metric_id = d.pop("metric_id")

        value = d.pop("value")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: PushPointMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = PushPointMetadata.from_dict(_metadata)

        def _parse_timestamp(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))

        def _parse_unit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit = _parse_unit(d.pop("unit", UNSET))

        push_point = cls(
            metric_id=metric_id,
            value=value,
            id=id,
            metadata=metadata,
            timestamp=timestamp,
            unit=unit,
        )

        return push_point
