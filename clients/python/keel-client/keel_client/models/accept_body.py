from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AcceptBody")


@_attrs_define
class AcceptBody:
    """
    Attributes:
        password (str): A new password (at least 10 characters, not a common one) or, when this address has an
            account already, its password.
        token (str): The `token` of the invitation link (`keel_inv_…`).
        name (None | str | Unset): Your name; required when this address has no account yet.
    """

    password: str
    token: str
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        password = self.password

        token = self.token

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "password": password,
                "token": token,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        password = d.pop("password")

        token = d.pop("token")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        accept_body = cls(
            password=password,
            token=token,
            name=name,
        )

        return accept_body
