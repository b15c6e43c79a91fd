from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consent_mode_defaults import ConsentModeDefaults


T = TypeVar("T", bound="ConsentMode")


@_attrs_define
class ConsentMode:
    """Google Consent Mode as the page sets it.

    Attributes:
        default_set (bool): A `gtag('consent', 'default', …)` call was found.
        defaults (ConsentModeDefaults): The default of each consent type (`denied` or `granted`).
        update_seen (bool): A `gtag('consent', 'update', …)` call was found.
        v2 (bool): The defaults include v2's `ad_user_data` and `ad_personalization`.
        before_first_tag (bool | None | Unset): The defaults come before the first Google tag loads (absent: no Google
            tag, or no
            defaults).
    """

    default_set: bool
    defaults: ConsentModeDefaults
    update_seen: bool
    v2: bool
    before_first_tag: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        default_set = self.default_set

        defaults = self.defaults.to_dict()

        update_seen = self.update_seen

        v2 = self.v2

        before_first_tag: bool | None | Unset
        if isinstance(self.before_first_tag, Unset):
            before_first_tag = UNSET
        else:
            before_first_tag = self.before_first_tag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "default_set": default_set,
                "defaults": defaults,
                "update_seen": update_seen,
                "v2": v2,
            }
        )
        if before_first_tag is not UNSET:
            field_dict["before_first_tag"] = before_first_tag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.consent_mode_defaults import ConsentModeDefaults  # noqa: PLC0415

        d = dict(src_dict)
        default_set = d.pop("default_set")

        defaults = ConsentModeDefaults.from_dict(d.pop("defaults"))

        update_seen = d.pop("update_seen")

        v2 = d.pop("v2")

        def _parse_before_first_tag(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        before_first_tag = _parse_before_first_tag(d.pop("before_first_tag", UNSET))

        consent_mode = cls(
            default_set=default_set,
            defaults=defaults,
            update_seen=update_seen,
            v2=v2,
            before_first_tag=before_first_tag,
        )

        consent_mode.additional_properties = d
        return consent_mode

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
