from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportFilters")


@_attrs_define
class ExportFilters:
    """
    Attributes:
        dmarc_status (None | str | Unset): Also `dmarc_policy` (DNSai's name).
        email_gateway (None | str | Unset): Also `gateway` (DNSai's name).
        is_favorite (bool | None | Unset):
        search (None | str | Unset):
        spf_status (None | str | Unset):
        status (None | str | Unset):
        tag (None | str | Unset):
    """

    dmarc_status: None | str | Unset = UNSET
    email_gateway: None | str | Unset = UNSET
    is_favorite: bool | None | Unset = UNSET
    search: None | str | Unset = UNSET
    spf_status: None | str | Unset = UNSET
    status: None | str | Unset = UNSET
    tag: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dmarc_status: None | str | Unset
        if isinstance(self.dmarc_status, Unset):
            dmarc_status = UNSET
        else:
            dmarc_status = self.dmarc_status

        email_gateway: None | str | Unset
        if isinstance(self.email_gateway, Unset):
            email_gateway = UNSET
        else:
            email_gateway = self.email_gateway

        is_favorite: bool | None | Unset
        if isinstance(self.is_favorite, Unset):
            is_favorite = UNSET
        else:
            is_favorite = self.is_favorite

        search: None | str | Unset
        if isinstance(self.search, Unset):
            search = UNSET
        else:
            search = self.search

        spf_status: None | str | Unset
        if isinstance(self.spf_status, Unset):
            spf_status = UNSET
        else:
            spf_status = self.spf_status

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        tag: None | str | Unset
        if isinstance(self.tag, Unset):
            tag = UNSET
        else:
            tag = self.tag

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if dmarc_status is not UNSET:
            field_dict["dmarc_status"] = dmarc_status
        if email_gateway is not UNSET:
            field_dict["email_gateway"] = email_gateway
        if is_favorite is not UNSET:
            field_dict["is_favorite"] = is_favorite
        if search is not UNSET:
            field_dict["search"] = search
        if spf_status is not UNSET:
            field_dict["spf_status"] = spf_status
        if status is not UNSET:
            field_dict["status"] = status
        if tag is not UNSET:
            field_dict["tag"] = tag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_dmarc_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_status = _parse_dmarc_status(d.pop("dmarc_status", UNSET))

        def _parse_email_gateway(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email_gateway = _parse_email_gateway(d.pop("email_gateway", UNSET))

        def _parse_is_favorite(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_favorite = _parse_is_favorite(d.pop("is_favorite", UNSET))

        def _parse_search(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        search = _parse_search(d.pop("search", UNSET))

        def _parse_spf_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        spf_status = _parse_spf_status(d.pop("spf_status", UNSET))

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_tag(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tag = _parse_tag(d.pop("tag", UNSET))

        export_filters = cls(
            dmarc_status=dmarc_status,
            email_gateway=email_gateway,
            is_favorite=is_favorite,
            search=search,
            spf_status=spf_status,
            status=status,
            tag=tag,
        )

        return export_filters
