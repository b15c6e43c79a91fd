from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.evidence import Evidence


T = TypeVar("T", bound="Finding")


@_attrs_define
class Finding:
    """A tracker (or a consent manager) found on the page.

    Attributes:
        category (str): `analytics`, `advertising`, `tag_manager`, `session_recording`, `product_analytics`,
            `customer_data` or `consent`.
        evidence (list[Evidence]): At most 5 pieces of evidence.
        found_in (list[str]): The passes that saw it.
        id (str): The signature's id (`ga4`, `meta_pixel`, `cookiebot`, …).
        ids (list[str]): Measurement, container, pixel or account ids seen.
        name (str):
        vendor (str):
        before_consent (bool | None | Unset): Whether it loads before the visitor consents: `true` or `false` when known
            (the rendered
            pass, a script held back by the consent manager, or no consent manager at all), absent
            when the static pass cannot tell.
    """

    category: str
    evidence: list[Evidence]
    found_in: list[str]
    id: str
    ids: list[str]
    name: str
    vendor: str
    before_consent: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)

        found_in = self.found_in

        id = self.id

        ids = self.ids

        name = self.name

        vendor = self.vendor

        before_consent: bool | None | Unset
        if isinstance(self.before_consent, Unset):
            before_consent = UNSET
        else:
            before_consent = self.before_consent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "evidence": evidence,
                "found_in": found_in,
                "id": id,
                "ids": ids,
                "name": name,
                "vendor": vendor,
            }
        )
        if before_consent is not UNSET:
            field_dict["before_consent"] = before_consent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evidence import Evidence  # noqa: PLC0415

        d = dict(src_dict)
        category = d.pop("category")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in _evidence:
            evidence_item = Evidence.from_dict(evidence_item_data)

            evidence.append(evidence_item)

        found_in = cast(list[str], d.pop("found_in"))

        id = d.pop("id")

        ids = cast(list[str], d.pop("ids"))

        name = d.pop("name")

        vendor = d.pop("vendor")

        def _parse_before_consent(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        before_consent = _parse_before_consent(d.pop("before_consent", UNSET))

        finding = cls(
            category=category,
            evidence=evidence,
            found_in=found_in,
            id=id,
            ids=ids,
            name=name,
            vendor=vendor,
            before_consent=before_consent,
        )

        finding.additional_properties = d
        return finding

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
