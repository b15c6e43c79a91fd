from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.pixel_config import PixelConfig
    from ..models.pixel_features import PixelFeatures


T = TypeVar("T", bound="PixelConfigAnswer")


@_attrs_define
class PixelConfigAnswer:
    """The pixel's configuration: Keel's in `data`, core-api's at the top.

    Attributes:
        data (PixelConfig): What the pixel script needs to know.
        enabled (bool): Always true: a live site's pixel records (core-api).
        features (PixelFeatures): What the pixel records (core-api).
        sample_rate (float): The share of hits recorded: always 1.0 (no sampling).
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
    """

    data: PixelConfig
    enabled: bool
    features: PixelFeatures
    sample_rate: float
    status: Success
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        enabled = self.enabled

        features = self.features.to_dict()

        sample_rate = self.sample_rate

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "enabled": enabled,
                "features": features,
                "sample_rate": sample_rate,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pixel_config import PixelConfig  # noqa: PLC0415
        from ..models.pixel_features import PixelFeatures  # noqa: PLC0415

        d = dict(src_dict)
        data = PixelConfig.from_dict(d.pop("data"))

        enabled = d.pop("enabled")

        features = PixelFeatures.from_dict(d.pop("features"))

        sample_rate = d.pop("sample_rate")

        status = Success(d.pop("status"))

        pixel_config_answer = cls(
            data=data,
            enabled=enabled,
            features=features,
            sample_rate=sample_rate,
            status=status,
        )

        pixel_config_answer.additional_properties = d
        return pixel_config_answer

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
