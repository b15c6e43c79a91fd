from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Evidence")


@_attrs_define
class Evidence:
    """One piece of evidence of a finding.

    Attributes:
        kind (str): `script_src`, `inline_script`, `attributes`, `pixel`, `request`, `global`, `cookie` or
            `consent_call`.
        pass_ (str): `static`, `rendered` or `consented`.
        value (str): The URL, name or an excerpt of the script (at most 300 characters).
        initiator (None | str | Unset): The script that made the request, where the browser says.
    """

    kind: str
    pass_: str
    value: str
    initiator: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        pass_ = self.pass_

        value = self.value

        initiator: None | str | Unset
        if isinstance(self.initiator, Unset):
            initiator = UNSET
        else:
            initiator = self.initiator

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "pass": pass_,
                "value": value,
            }
        )
        if initiator is not UNSET:
            field_dict["initiator"] = initiator

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        pass_ = d.pop("pass")

        value = d.pop("value")

        def _parse_initiator(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        initiator = _parse_initiator(d.pop("initiator", UNSET))

        evidence = cls(
            kind=kind,
            pass_=pass_,
            value=value,
            initiator=initiator,
        )

        evidence.additional_properties = d
        return evidence

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
