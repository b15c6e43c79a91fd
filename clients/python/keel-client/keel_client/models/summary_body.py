from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.as_of_meta import AsOfMeta
    from ..models.summary_row import SummaryRow


T = TypeVar("T", bound="SummaryBody")


@_attrs_define
class SummaryBody:
    """The plan's features with their usage; `meta.as_of` with `as_of`.

    Attributes:
        data (list[SummaryRow]):
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        meta (AsOfMeta | None | Unset):
    """

    data: list[SummaryRow]
    status: Success
    meta: AsOfMeta | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.as_of_meta import AsOfMeta  # noqa: PLC0415

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        status = self.status.value

        meta: dict[str, Any] | None | Unset
        if isinstance(self.meta, Unset):
            meta = UNSET
        elif isinstance(self.meta, AsOfMeta):
            meta = self.meta.to_dict()
        else:
            meta = self.meta

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "status": status,
            }
        )
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.as_of_meta import AsOfMeta  # noqa: PLC0415
        from ..models.summary_row import SummaryRow  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = SummaryRow.from_dict(data_item_data)

            data.append(data_item)

        status = Success(d.pop("status"))

        def _parse_meta(data: object) -> AsOfMeta | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                meta_type_1 = AsOfMeta.from_dict(data)

                return meta_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AsOfMeta | None | Unset, data)

        meta = _parse_meta(d.pop("meta", UNSET))

        summary_body = cls(
            data=data,
            status=status,
            meta=meta,
        )

        summary_body.additional_properties = d
        return summary_body

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
