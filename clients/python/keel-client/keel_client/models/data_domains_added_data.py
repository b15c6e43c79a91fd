from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.invalid_domain import InvalidDomain
    from ..models.refused_domain import RefusedDomain


T = TypeVar("T", bound="DataDomainsAddedData")


@_attrs_define
class DataDomainsAddedData:
    """What became of an add.

    Attributes:
        domains_added (int): Newly watched (or watched again).
        domains_existing (int): Already watched, or repeated in the request.
        domains_invalid (list[InvalidDomain]):
        domains_refused (list[RefusedDomain]): Valid names not watched because the plan's `domains` limit was reached:
            the last ones of
            the request, each with its index in `domains`.
        domains_submitted (int): Names in the request.
        scans_queued (int):
    """

    domains_added: int
    domains_existing: int
    domains_invalid: list[InvalidDomain]
    domains_refused: list[RefusedDomain]
    domains_submitted: int
    scans_queued: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domains_added = self.domains_added

        domains_existing = self.domains_existing

        domains_invalid = []
        for domains_invalid_item_data in self.domains_invalid:
            domains_invalid_item = domains_invalid_item_data.to_dict()
            domains_invalid.append(domains_invalid_item)

        domains_refused = []
        for domains_refused_item_data in self.domains_refused:
            domains_refused_item = domains_refused_item_data.to_dict()
            domains_refused.append(domains_refused_item)

        domains_submitted = self.domains_submitted

        scans_queued = self.scans_queued

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domains_added": domains_added,
                "domains_existing": domains_existing,
                "domains_invalid": domains_invalid,
                "domains_refused": domains_refused,
                "domains_submitted": domains_submitted,
                "scans_queued": scans_queued,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invalid_domain import InvalidDomain  # noqa: PLC0415
        from ..models.refused_domain import RefusedDomain  # noqa: PLC0415

        d = dict(src_dict)
        domains_added = d.pop("domains_added")

        domains_existing = d.pop("domains_existing")

        domains_invalid = []
        _domains_invalid = d.pop("domains_invalid")
        for domains_invalid_item_data in _domains_invalid:
            domains_invalid_item = InvalidDomain.from_dict(domains_invalid_item_data)

            domains_invalid.append(domains_invalid_item)

        domains_refused = []
        _domains_refused = d.pop("domains_refused")
        for domains_refused_item_data in _domains_refused:
            domains_refused_item = RefusedDomain.from_dict(domains_refused_item_data)

            domains_refused.append(domains_refused_item)

        domains_submitted = d.pop("domains_submitted")

        scans_queued = d.pop("scans_queued")

        data_domains_added_data = cls(
            domains_added=domains_added,
            domains_existing=domains_existing,
            domains_invalid=domains_invalid,
            domains_refused=domains_refused,
            domains_submitted=domains_submitted,
            scans_queued=scans_queued,
        )

        data_domains_added_data.additional_properties = d
        return data_domains_added_data

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
