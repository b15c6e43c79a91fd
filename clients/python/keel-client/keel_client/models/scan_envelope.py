from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.api_meta import ApiMeta
    from ..models.scan_view import ScanView


T = TypeVar("T", bound="ScanEnvelope")


@_attrs_define
class ScanEnvelope:
    """`{"status": "ok", "data": scan, "api_meta": {"request_id"}}`.

    Attributes:
        api_meta (ApiMeta): datanostro's `api_meta`.
        data (ScanView): A scan: queued, completed (with its findings) or failed (with why).
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
    """

    api_meta: ApiMeta
    data: ScanView
    status: Success
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_meta = self.api_meta.to_dict()

        data = self.data.to_dict()

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_meta": api_meta,
                "data": data,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_meta import ApiMeta  # noqa: PLC0415
        from ..models.scan_view import ScanView  # noqa: PLC0415

        d = dict(src_dict)
        api_meta = ApiMeta.from_dict(d.pop("api_meta"))

        data = ScanView.from_dict(d.pop("data"))

        status = Success(d.pop("status"))

        scan_envelope = cls(
            api_meta=api_meta,
            data=data,
            status=status,
        )

        scan_envelope.additional_properties = d
        return scan_envelope

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
