from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.data_option_flat_scan_data_type_1 import DataOptionFlatScanDataType1


T = TypeVar("T", bound="DataOptionFlatScan")


@_attrs_define
class DataOptionFlatScan:
    """The answer of every read and write of one resource: `{"status": "ok", "data": …}`.

    Attributes:
        data (DataOptionFlatScanDataType1 | None):
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
    """

    data: DataOptionFlatScanDataType1 | None
    status: Success
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.data_option_flat_scan_data_type_1 import DataOptionFlatScanDataType1  # noqa: PLC0415

        data: dict[str, Any] | None
        if isinstance(self.data, DataOptionFlatScanDataType1):
            data = self.data.to_dict()
        else:
            data = self.data

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
        from ..models.data_option_flat_scan_data_type_1 import DataOptionFlatScanDataType1  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_data(data: object) -> DataOptionFlatScanDataType1 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_1 = DataOptionFlatScanDataType1.from_dict(data)

                return data_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DataOptionFlatScanDataType1 | None, data)

        data = _parse_data(d.pop("data"))

        status = Success(d.pop("status"))

        data_option_flat_scan = cls(
            data=data,
            status=status,
        )

        data_option_flat_scan.additional_properties = d
        return data_option_flat_scan

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
