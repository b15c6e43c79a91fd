from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.data_domain_updated_data import DataDomainUpdatedData


T = TypeVar("T", bound="DataDomainUpdated")


@_attrs_define
class DataDomainUpdated:
    """The answer of every read and write of one resource: `{"status": "ok", "data": …}`.

    Attributes:
        data (DataDomainUpdatedData): A domain after an update.
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
    """

    data: DataDomainUpdatedData
    status: Success
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_domain_updated_data import DataDomainUpdatedData  # noqa: PLC0415

        d = dict(src_dict)
        data = DataDomainUpdatedData.from_dict(d.pop("data"))

        status = Success(d.pop("status"))

        data_domain_updated = cls(
            data=data,
            status=status,
        )

        data_domain_updated.additional_properties = d
        return data_domain_updated

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
