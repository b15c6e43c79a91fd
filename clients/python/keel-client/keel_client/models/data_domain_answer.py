from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.domain_as_of import DomainAsOf
    from ..models.domain_detail import DomainDetail


T = TypeVar("T", bound="DataDomainAnswer")


@_attrs_define
class DataDomainAnswer:
    """The answer of every read and write of one resource: `{"status": "ok", "data": …}`.

    Attributes:
        data (DomainAsOf | DomainDetail): `GET /domains/{id}`: the live domain, or with `as_of` the domain as it was.
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
    """

    data: DomainAsOf | DomainDetail
    status: Success
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.domain_detail import DomainDetail  # noqa: PLC0415

        data: dict[str, Any]
        if isinstance(self.data, DomainDetail):
            data = self.data.to_dict()
        else:
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
        from ..models.domain_as_of import DomainAsOf  # noqa: PLC0415
        from ..models.domain_detail import DomainDetail  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_data(data: object) -> DomainAsOf | DomainDetail:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = DomainDetail.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            data_type_1 = DomainAsOf.from_dict(data)

            return data_type_1

        data = _parse_data(d.pop("data"))

        status = Success(d.pop("status"))

        data_domain_answer = cls(
            data=data,
            status=status,
        )

        data_domain_answer.additional_properties = d
        return data_domain_answer

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
