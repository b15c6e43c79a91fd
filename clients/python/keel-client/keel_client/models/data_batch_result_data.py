from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.item_refused import ItemRefused


T = TypeVar("T", bound="DataBatchResultData")


@_attrs_define
class DataBatchResultData:
    """What became of a batch.

    Attributes:
        accepted (int): Items recorded now.
        duplicate (int): Items recorded before (same `event_id`): counted once.
        errors (list[ItemRefused]):
        rejected (int): Items refused; `errors` says why.
    """

    accepted: int
    duplicate: int
    errors: list[ItemRefused]
    rejected: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        duplicate = self.duplicate

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        rejected = self.rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted": accepted,
                "duplicate": duplicate,
                "errors": errors,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.item_refused import ItemRefused  # noqa: PLC0415

        d = dict(src_dict)
        accepted = d.pop("accepted")

        duplicate = d.pop("duplicate")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ItemRefused.from_dict(errors_item_data)

            errors.append(errors_item)

        rejected = d.pop("rejected")

        data_batch_result_data = cls(
            accepted=accepted,
            duplicate=duplicate,
            errors=errors,
            rejected=rejected,
        )

        data_batch_result_data.additional_properties = d
        return data_batch_result_data

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
