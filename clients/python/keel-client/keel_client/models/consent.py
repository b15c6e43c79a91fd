from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consent_mode import ConsentMode
    from ..models.finding import Finding


T = TypeVar("T", bound="Consent")


@_attrs_define
class Consent:
    """Consent: the managers found, Consent Mode, and what loads before consent.

    Attributes:
        consent_mode (ConsentMode): Google Consent Mode as the page sets it.
        managers (list[Finding]):
        trackers_before_consent (list[str]): Ids of trackers known to load before consent.
        banner_accepted (bool | None | Unset): Whether the rendered pass found and clicked an accept button (absent: not
            tried).
    """

    consent_mode: ConsentMode
    managers: list[Finding]
    trackers_before_consent: list[str]
    banner_accepted: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consent_mode = self.consent_mode.to_dict()

        managers = []
        for managers_item_data in self.managers:
            managers_item = managers_item_data.to_dict()
            managers.append(managers_item)

        trackers_before_consent = self.trackers_before_consent

        banner_accepted: bool | None | Unset
        if isinstance(self.banner_accepted, Unset):
            banner_accepted = UNSET
        else:
            banner_accepted = self.banner_accepted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consent_mode": consent_mode,
                "managers": managers,
                "trackers_before_consent": trackers_before_consent,
            }
        )
        if banner_accepted is not UNSET:
            field_dict["banner_accepted"] = banner_accepted

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.consent_mode import ConsentMode  # noqa: PLC0415
        from ..models.finding import Finding  # noqa: PLC0415

        d = dict(src_dict)
        consent_mode = ConsentMode.from_dict(d.pop("consent_mode"))

        managers = []
        _managers = d.pop("managers")
        for managers_item_data in _managers:
            managers_item = Finding.from_dict(managers_item_data)

            managers.append(managers_item)

        trackers_before_consent = cast(list[str], d.pop("trackers_before_consent"))

        def _parse_banner_accepted(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        banner_accepted = _parse_banner_accepted(d.pop("banner_accepted", UNSET))

        consent = cls(
            consent_mode=consent_mode,
            managers=managers,
            trackers_before_consent=trackers_before_consent,
            banner_accepted=banner_accepted,
        )

        consent.additional_properties = d
        return consent

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
