from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feed_progress_type_1_kind import FeedProgressType1Kind

if TYPE_CHECKING:
    from ..models.partition_offset import PartitionOffset


T = TypeVar("T", bound="FeedProgressType1")


@_attrs_define
class FeedProgressType1:
    """Consumed from Kafka: per partition, the next offset to read.

    Attributes:
        kind (FeedProgressType1Kind):
        offsets (list[PartitionOffset]):
    """

    kind: FeedProgressType1Kind
    offsets: list[PartitionOffset]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        offsets = []
        for offsets_item_data in self.offsets:
            offsets_item = offsets_item_data.to_dict()
            offsets.append(offsets_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "offsets": offsets,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.partition_offset import PartitionOffset  # noqa: PLC0415

        d = dict(src_dict)
        kind = FeedProgressType1Kind(d.pop("kind"))

        offsets = []
        _offsets = d.pop("offsets")
        for offsets_item_data in _offsets:
            offsets_item = PartitionOffset.from_dict(offsets_item_data)

            offsets.append(offsets_item)

        feed_progress_type_1 = cls(
            kind=kind,
            offsets=offsets,
        )

        feed_progress_type_1.additional_properties = d
        return feed_progress_type_1

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
