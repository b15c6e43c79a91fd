from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="AddDomainsBody")


@_attrs_define
class AddDomainsBody:
    """
    Attributes:
        domains (list[str]): 1 to 500 domain names.
    """

    domains: list[str]

    def to_dict(self) -> dict[str, Any]:
        domains = self.domains

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "domains": domains,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        domains = cast(list[str], d.pop("domains"))

        add_domains_body = cls(
            domains=domains,
        )

        return add_domains_body
