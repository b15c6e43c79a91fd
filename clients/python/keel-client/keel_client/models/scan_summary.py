from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScanSummary")


@_attrs_define
class ScanSummary:
    """What the latest scan found, in brief.

    Attributes:
        dmarc_status (str): reject, quarantine, none, missing (no DMARC record), or pending (not known yet: never
            scanned, or its lookup never got an answer)
        scan_status (str): How the last scan went: ok; partial (some lookups got no answer, their values are the
            last good ones); failed (nothing answered, or the scan overran its deadline: every value
            is the last good one); nxdomain (the domain does not exist); pending (never scanned).
        spf_status (str): valid, over_limit, invalid, missing, or pending (not known yet)
        dmarc_policy (None | str | Unset):
        email_gateway (None | str | Unset): The email provider the MX records point at (`google`, `microsoft`, …), if
            any.
        last_error_at (None | str | Unset): When a scan last failed, wholly or partly.
        mx (Any | Unset): MX hosts by preference.
        scan_error (None | str | Unset): Why the last scan failed or was partial, or that the domain does not exist.
        scanned_at (Any | Unset):
        spf_lookups (Any | Unset): DNS lookups the SPF record needs.
    """

    dmarc_status: str
    scan_status: str
    spf_status: str
    dmarc_policy: None | str | Unset = UNSET
    email_gateway: None | str | Unset = UNSET
    last_error_at: None | str | Unset = UNSET
    mx: Any | Unset = UNSET
    scan_error: None | str | Unset = UNSET
    scanned_at: Any | Unset = UNSET
    spf_lookups: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dmarc_status = self.dmarc_status

        scan_status = self.scan_status

        spf_status = self.spf_status

        dmarc_policy: None | str | Unset
        if isinstance(self.dmarc_policy, Unset):
            dmarc_policy = UNSET
        else:
            dmarc_policy = self.dmarc_policy

        email_gateway: None | str | Unset
        if isinstance(self.email_gateway, Unset):
            email_gateway = UNSET
        else:
            email_gateway = self.email_gateway

        last_error_at: None | str | Unset
        if isinstance(self.last_error_at, Unset):
            last_error_at = UNSET
        else:
            last_error_at = self.last_error_at

        mx = self.mx

        scan_error: None | str | Unset
        if isinstance(self.scan_error, Unset):
            scan_error = UNSET
        else:
            scan_error = self.scan_error

        scanned_at = self.scanned_at

        spf_lookups = self.spf_lookups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dmarc_status": dmarc_status,
                "scan_status": scan_status,
                "spf_status": spf_status,
            }
        )
        if dmarc_policy is not UNSET:
            field_dict["dmarc_policy"] = dmarc_policy
        if email_gateway is not UNSET:
            field_dict["email_gateway"] = email_gateway
        if last_error_at is not UNSET:
            field_dict["last_error_at"] = last_error_at
        if mx is not UNSET:
            field_dict["mx"] = mx
        if scan_error is not UNSET:
            field_dict["scan_error"] = scan_error
        if scanned_at is not UNSET:
            field_dict["scanned_at"] = scanned_at
        if spf_lookups is not UNSET:
            field_dict["spf_lookups"] = spf_lookups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        dmarc_status = d.pop("dmarc_status")

        scan_status = d.pop("scan_status")

        spf_status = d.pop("spf_status")

        def _parse_dmarc_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_policy = _parse_dmarc_policy(d.pop("dmarc_policy", UNSET))

        def _parse_email_gateway(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email_gateway = _parse_email_gateway(d.pop("email_gateway", UNSET))

        def _parse_last_error_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error_at = _parse_last_error_at(d.pop("last_error_at", UNSET))

        mx = d.pop("mx", UNSET)

        def _parse_scan_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scan_error = _parse_scan_error(d.pop("scan_error", UNSET))

        scanned_at = d.pop("scanned_at", UNSET)

        spf_lookups = d.pop("spf_lookups", UNSET)

        scan_summary = cls(
            dmarc_status=dmarc_status,
            scan_status=scan_status,
            spf_status=spf_status,
            dmarc_policy=dmarc_policy,
            email_gateway=email_gateway,
            last_error_at=last_error_at,
            mx=mx,
            scan_error=scan_error,
            scanned_at=scanned_at,
            spf_lookups=spf_lookups,
        )

        scan_summary.additional_properties = d
        return scan_summary

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
