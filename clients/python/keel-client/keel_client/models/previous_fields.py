from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.last_change import LastChange


T = TypeVar("T", bound="PreviousFields")


@_attrs_define
class PreviousFields:
    """Each field's last change, `null` if it never changed.

    Attributes:
        dmarc_policy (LastChange | None | Unset):
        email_gateway (LastChange | None | Unset):
        mx (LastChange | None | Unset):
    """

    dmarc_policy: LastChange | None | Unset = UNSET
    email_gateway: LastChange | None | Unset = UNSET
    mx: LastChange | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.last_change import LastChange  # noqa: PLC0415

        dmarc_policy: dict[str, Any] | None | Unset
        if isinstance(self.dmarc_policy, Unset):
            dmarc_policy = UNSET
        elif isinstance(self.dmarc_policy, LastChange):
            dmarc_policy = self.dmarc_policy.to_dict()
        else:
            dmarc_policy = self.dmarc_policy

        email_gateway: dict[str, Any] | None | Unset
        if isinstance(self.email_gateway, Unset):
            email_gateway = UNSET
        elif isinstance(self.email_gateway, LastChange):
            email_gateway = self.email_gateway.to_dict()
        else:
            email_gateway = self.email_gateway

        mx: dict[str, Any] | None | Unset
        if isinstance(self.mx, Unset):
            mx = UNSET
        elif isinstance(self.mx, LastChange):
            mx = self.mx.to_dict()
        else:
            mx = self.mx

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if dmarc_policy is not UNSET:
            field_dict["dmarc_policy"] = dmarc_policy
        if email_gateway is not UNSET:
            field_dict["email_gateway"] = email_gateway
        if mx is not UNSET:
            field_dict["mx"] = mx

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.last_change import LastChange  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_dmarc_policy(data: object) -> LastChange | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dmarc_policy_type_1 = LastChange.from_dict(data)

                return dmarc_policy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LastChange | None | Unset, data)

        dmarc_policy = _parse_dmarc_policy(d.pop("dmarc_policy", UNSET))

        def _parse_email_gateway(data: object) -> LastChange | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                email_gateway_type_1 = LastChange.from_dict(data)

                return email_gateway_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LastChange | None | Unset, data)

        email_gateway = _parse_email_gateway(d.pop("email_gateway", UNSET))

        def _parse_mx(data: object) -> LastChange | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mx_type_1 = LastChange.from_dict(data)

                return mx_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LastChange | None | Unset, data)

        mx = _parse_mx(d.pop("mx", UNSET))

        previous_fields = cls(
            dmarc_policy=dmarc_policy,
            email_gateway=email_gateway,
            mx=mx,
        )

        previous_fields.additional_properties = d
        return previous_fields

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
