from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_body_metadata import UsageBodyMetadata


T = TypeVar("T", bound="UsageBody")


@_attrs_define
class UsageBody:
    """
    Attributes:
        feature (str):
        metadata (UsageBodyMetadata | Unset):
        quantity (int | None | Unset): A positive integer (default 1).
        usage_id (None | str | Unset): Your id for this record: a record with an id already seen is counted once,
            forever.
    """

    feature: str
    metadata: UsageBodyMetadata | Unset = UNSET
    quantity: int | None | Unset = UNSET
    usage_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        feature = self.feature

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        quantity: int | None | Unset
        if isinstance(self.quantity, Unset):
            quantity = UNSET
        else:
            quantity = self.quantity

        usage_id: None | str | Unset
        if isinstance(self.usage_id, Unset):
            usage_id = UNSET
        else:
            usage_id = self.usage_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "feature": feature,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if usage_id is not UNSET:
            field_dict["usage_id"] = usage_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_body_metadata import UsageBodyMetadata  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        _metadata = d.pop("metadata", UNSET)
        metadata: UsageBodyMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = UsageBodyMetadata.from_dict(_metadata)

        def _parse_quantity(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        quantity = _parse_quantity(d.pop("quantity", UNSET))

        def _parse_usage_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        usage_id = _parse_usage_id(d.pop("usage_id", UNSET))

        usage_body = cls(
            feature=feature,
            metadata=metadata,
            quantity=quantity,
            usage_id=usage_id,
        )

        return usage_body
