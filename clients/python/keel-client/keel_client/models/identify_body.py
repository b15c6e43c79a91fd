from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.identify_body_traits import IdentifyBodyTraits


T = TypeVar("T", bound="IdentifyBody")


@_attrs_define
class IdentifyBody:
    """
    Attributes:
        user_id (str): Your user id, at most 255 characters.
        visitor_id (str):
        site_id (str | Unset): Optional with a website key (its site).
        traits (IdentifyBodyTraits | Unset):
    """

    user_id: str
    visitor_id: str
    site_id: str | Unset = UNSET
    traits: IdentifyBodyTraits | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        visitor_id = self.visitor_id

        site_id = self.site_id

        traits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.traits, Unset):
            traits = self.traits.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
                "visitor_id": visitor_id,
            }
        )
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if traits is not UNSET:
            field_dict["traits"] = traits

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.identify_body_traits import IdentifyBodyTraits  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        visitor_id = d.pop("visitor_id")

        site_id = d.pop("site_id", UNSET)

        _traits = d.pop("traits", UNSET)
        traits: IdentifyBodyTraits | Unset
        if isinstance(_traits, Unset):
            traits = UNSET
        else:
            traits = IdentifyBodyTraits.from_dict(_traits)

        identify_body = cls(
            user_id=user_id,
            visitor_id=visitor_id,
            site_id=site_id,
            traits=traits,
        )

        return identify_body
