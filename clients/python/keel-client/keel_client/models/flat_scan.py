from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FlatScan")


@_attrs_define
class FlatScan:
    """The latest scan of a domain flat, with DNSai's field names (its `scan-results`), and Keel's
    `outcome`, `error` and `failed` beside them. Server locations and ASNs are null unless
    MaxMind-format databases are configured; PTR is null until the scanner reads it.

        Attributes:
            failed (Any): Fields whose lookups failed (Keel).
            id (str): The scan's id.
            outcome (str): answered, nxdomain or failed (Keel).
            scanned_at (str):
            a_records (None | str | Unset):
            a_server_asn (None | str | Unset):
            a_server_asn_name (None | str | Unset):
            a_server_city (None | str | Unset):
            a_server_country (None | str | Unset):
            a_server_lat (float | None | Unset):
            a_server_lon (float | None | Unset):
            a_server_region (None | str | Unset):
            aaaa_records (None | str | Unset):
            bimi (None | str | Unset):
            dkim (None | str | Unset): The first DKIM key record found.
            dkim_hosts (None | str | Unset): Where DKIM keys were found, e.g. `google._domainkey.example.com`.
            dkim_selectors (None | str | Unset):
            dkim_vendors (None | str | Unset):
            dmarc (None | str | Unset): The DMARC record (`v=DMARC1; p=…`).
            dmarc_p_changed_date (None | str | Unset):
            dmarc_policy_p (None | str | Unset): reject, quarantine or none.
            dmarc_rua (None | str | Unset):
            dmarc_ruf (None | str | Unset):
            email_gateway (None | str | Unset):
            error (None | str | Unset): Why lookups failed, or that the domain does not exist (Keel).
            gateway_changed_date (None | str | Unset):
            mx (None | str | Unset): MX hosts by preference, e.g. `10 mx1.example.com, 20 mx2.example.com`.
            mx_changed_date (None | str | Unset):
            mx_server_asn (None | str | Unset):
            mx_server_asn_name (None | str | Unset):
            mx_server_city (None | str | Unset):
            mx_server_country (None | str | Unset):
            mx_server_ipv4 (None | str | Unset): Addresses of the most preferred MX host.
            mx_server_ipv6 (None | str | Unset):
            mx_server_lat (float | None | Unset):
            mx_server_lon (float | None | Unset):
            mx_server_region (None | str | Unset):
            ns (None | str | Unset):
            previous_dmarc_p (None | str | Unset):
            previous_email_gateway (None | str | Unset):
            previous_mx (None | str | Unset):
            ptr (None | str | Unset):
            soa (None | str | Unset):
            spf (None | str | Unset): The SPF record (`v=spf1 …`).
            spf_email_senders (None | str | Unset):
            spf_limit (None | str | Unset): `ok` (10 lookups or fewer) or `exceeded`.
            spf_main_lookups (int | None | Unset): DNS-querying terms in the top-level SPF record.
            spf_nested_lookups (int | None | Unset): DNS-querying terms in the records it includes.
            spf_total_lookups (int | None | Unset): All of them (RFC 7208 allows 10).
            srv (None | str | Unset):
            tech_in_dns (None | str | Unset): Services the TXT records verify the domain with (e.g. `Google Search Console,
                Stripe`).
            txt (None | str | Unset): TXT records, ` | ` between them.
    """

    failed: Any
    id: str
    outcome: str
    scanned_at: str
    a_records: None | str | Unset = UNSET
    a_server_asn: None | str | Unset = UNSET
    a_server_asn_name: None | str | Unset = UNSET
    a_server_city: None | str | Unset = UNSET
    a_server_country: None | str | Unset = UNSET
    a_server_lat: float | None | Unset = UNSET
    a_server_lon: float | None | Unset = UNSET
    a_server_region: None | str | Unset = UNSET
    aaaa_records: None | str | Unset = UNSET
    bimi: None | str | Unset = UNSET
    dkim: None | str | Unset = UNSET
    dkim_hosts: None | str | Unset = UNSET
    dkim_selectors: None | str | Unset = UNSET
    dkim_vendors: None | str | Unset = UNSET
    dmarc: None | str | Unset = UNSET
    dmarc_p_changed_date: None | str | Unset = UNSET
    dmarc_policy_p: None | str | Unset = UNSET
    dmarc_rua: None | str | Unset = UNSET
    dmarc_ruf: None | str | Unset = UNSET
    email_gateway: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    gateway_changed_date: None | str | Unset = UNSET
    mx: None | str | Unset = UNSET
    mx_changed_date: None | str | Unset = UNSET
    mx_server_asn: None | str | Unset = UNSET
    mx_server_asn_name: None | str | Unset = UNSET
    mx_server_city: None | str | Unset = UNSET
    mx_server_country: None | str | Unset = UNSET
    mx_server_ipv4: None | str | Unset = UNSET
    mx_server_ipv6: None | str | Unset = UNSET
    mx_server_lat: float | None | Unset = UNSET
    mx_server_lon: float | None | Unset = UNSET
    mx_server_region: None | str | Unset = UNSET
    ns: None | str | Unset = UNSET
    previous_dmarc_p: None | str | Unset = UNSET
    previous_email_gateway: None | str | Unset = UNSET
    previous_mx: None | str | Unset = UNSET
    ptr: None | str | Unset = UNSET
    soa: None | str | Unset = UNSET
    spf: None | str | Unset = UNSET
    spf_email_senders: None | str | Unset = UNSET
    spf_limit: None | str | Unset = UNSET
    spf_main_lookups: int | None | Unset = UNSET
    spf_nested_lookups: int | None | Unset = UNSET
    spf_total_lookups: int | None | Unset = UNSET
    srv: None | str | Unset = UNSET
    tech_in_dns: None | str | Unset = UNSET
    txt: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed

        id = self.id

        outcome = self.outcome

        scanned_at = self.scanned_at

        a_records: None | str | Unset
        if isinstance(self.a_records, Unset):
            a_records = UNSET
        else:
            a_records = self.a_records

        a_server_asn: None | str | Unset
        if isinstance(self.a_server_asn, Unset):
            a_server_asn = UNSET
        else:
            a_server_asn = self.a_server_asn

        a_server_asn_name: None | str | Unset
        if isinstance(self.a_server_asn_name, Unset):
            a_server_asn_name = UNSET
        else:
            a_server_asn_name = self.a_server_asn_name

        a_server_city: None | str | Unset
        if isinstance(self.a_server_city, Unset):
            a_server_city = UNSET
        else:
            a_server_city = self.a_server_city

        a_server_country: None | str | Unset
        if isinstance(self.a_server_country, Unset):
            a_server_country = UNSET
        else:
            a_server_country = self.a_server_country

        a_server_lat: float | None | Unset
        if isinstance(self.a_server_lat, Unset):
            a_server_lat = UNSET
        else:
            a_server_lat = self.a_server_lat

        a_server_lon: float | None | Unset
        if isinstance(self.a_server_lon, Unset):
            a_server_lon = UNSET
        else:
            a_server_lon = self.a_server_lon

        a_server_region: None | str | Unset
        if isinstance(self.a_server_region, Unset):
            a_server_region = UNSET
        else:
            a_server_region = self.a_server_region

        aaaa_records: None | str | Unset
        if isinstance(self.aaaa_records, Unset):
            aaaa_records = UNSET
        else:
            aaaa_records = self.aaaa_records

        bimi: None | str | Unset
        if isinstance(self.bimi, Unset):
            bimi = UNSET
        else:
            bimi = self.bimi

        dkim: None | str | Unset
        if isinstance(self.dkim, Unset):
            dkim = UNSET
        else:
            dkim = self.dkim

        dkim_hosts: None | str | Unset
        if isinstance(self.dkim_hosts, Unset):
            dkim_hosts = UNSET
        else:
            dkim_hosts = self.dkim_hosts

        dkim_selectors: None | str | Unset
        if isinstance(self.dkim_selectors, Unset):
            dkim_selectors = UNSET
        else:
            dkim_selectors = self.dkim_selectors

        dkim_vendors: None | str | Unset
        if isinstance(self.dkim_vendors, Unset):
            dkim_vendors = UNSET
        else:
            dkim_vendors = self.dkim_vendors

        dmarc: None | str | Unset
        if isinstance(self.dmarc, Unset):
            dmarc = UNSET
        else:
            dmarc = self.dmarc

        dmarc_p_changed_date: None | str | Unset
        if isinstance(self.dmarc_p_changed_date, Unset):
            dmarc_p_changed_date = UNSET
        else:
            dmarc_p_changed_date = self.dmarc_p_changed_date

        dmarc_policy_p: None | str | Unset
        if isinstance(self.dmarc_policy_p, Unset):
            dmarc_policy_p = UNSET
        else:
            dmarc_policy_p = self.dmarc_policy_p

        dmarc_rua: None | str | Unset
        if isinstance(self.dmarc_rua, Unset):
            dmarc_rua = UNSET
        else:
            dmarc_rua = self.dmarc_rua

        dmarc_ruf: None | str | Unset
        if isinstance(self.dmarc_ruf, Unset):
            dmarc_ruf = UNSET
        else:
            dmarc_ruf = self.dmarc_ruf

        email_gateway: None | str | Unset
        if isinstance(self.email_gateway, Unset):
            email_gateway = UNSET
        else:
            email_gateway = self.email_gateway

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        gateway_changed_date: None | str | Unset
        if isinstance(self.gateway_changed_date, Unset):
            gateway_changed_date = UNSET
        else:
            gateway_changed_date = self.gateway_changed_date

        mx: None | str | Unset
        if isinstance(self.mx, Unset):
            mx = UNSET
        else:
            mx = self.mx

        mx_changed_date: None | str | Unset
        if isinstance(self.mx_changed_date, Unset):
            mx_changed_date = UNSET
        else:
            mx_changed_date = self.mx_changed_date

        mx_server_asn: None | str | Unset
        if isinstance(self.mx_server_asn, Unset):
            mx_server_asn = UNSET
        else:
            mx_server_asn = self.mx_server_asn

        mx_server_asn_name: None | str | Unset
        if isinstance(self.mx_server_asn_name, Unset):
            mx_server_asn_name = UNSET
        else:
            mx_server_asn_name = self.mx_server_asn_name

        mx_server_city: None | str | Unset
        if isinstance(self.mx_server_city, Unset):
            mx_server_city = UNSET
        else:
            mx_server_city = self.mx_server_city

        mx_server_country: None | str | Unset
        if isinstance(self.mx_server_country, Unset):
            mx_server_country = UNSET
        else:
            mx_server_country = self.mx_server_country

        mx_server_ipv4: None | str | Unset
        if isinstance(self.mx_server_ipv4, Unset):
            mx_server_ipv4 = UNSET
        else:
            mx_server_ipv4 = self.mx_server_ipv4

        mx_server_ipv6: None | str | Unset
        if isinstance(self.mx_server_ipv6, Unset):
            mx_server_ipv6 = UNSET
        else:
            mx_server_ipv6 = self.mx_server_ipv6

        mx_server_lat: float | None | Unset
        if isinstance(self.mx_server_lat, Unset):
            mx_server_lat = UNSET
        else:
            mx_server_lat = self.mx_server_lat

        mx_server_lon: float | None | Unset
        if isinstance(self.mx_server_lon, Unset):
            mx_server_lon = UNSET
        else:
            mx_server_lon = self.mx_server_lon

        mx_server_region: None | str | Unset
        if isinstance(self.mx_server_region, Unset):
            mx_server_region = UNSET
        else:
            mx_server_region = self.mx_server_region

        ns: None | str | Unset
        if isinstance(self.ns, Unset):
            ns = UNSET
        else:
            ns = self.ns

        previous_dmarc_p: None | str | Unset
        if isinstance(self.previous_dmarc_p, Unset):
            previous_dmarc_p = UNSET
        else:
            previous_dmarc_p = self.previous_dmarc_p

        previous_email_gateway: None | str | Unset
        if isinstance(self.previous_email_gateway, Unset):
            previous_email_gateway = UNSET
        else:
            previous_email_gateway = self.previous_email_gateway

        previous_mx: None | str | Unset
        if isinstance(self.previous_mx, Unset):
            previous_mx = UNSET
        else:
            previous_mx = self.previous_mx

        ptr: None | str | Unset
        if isinstance(self.ptr, Unset):
            ptr = UNSET
        else:
            ptr = self.ptr

        soa: None | str | Unset
        if isinstance(self.soa, Unset):
            soa = UNSET
        else:
            soa = self.soa

        spf: None | str | Unset
        if isinstance(self.spf, Unset):
            spf = UNSET
        else:
            spf = self.spf

        spf_email_senders: None | str | Unset
        if isinstance(self.spf_email_senders, Unset):
            spf_email_senders = UNSET
        else:
            spf_email_senders = self.spf_email_senders

        spf_limit: None | str | Unset
        if isinstance(self.spf_limit, Unset):
            spf_limit = UNSET
        else:
            spf_limit = self.spf_limit

        spf_main_lookups: int | None | Unset
        if isinstance(self.spf_main_lookups, Unset):
            spf_main_lookups = UNSET
        else:
            spf_main_lookups = self.spf_main_lookups

        spf_nested_lookups: int | None | Unset
        if isinstance(self.spf_nested_lookups, Unset):
            spf_nested_lookups = UNSET
        else:
            spf_nested_lookups = self.spf_nested_lookups

        spf_total_lookups: int | None | Unset
        if isinstance(self.spf_total_lookups, Unset):
            spf_total_lookups = UNSET
        else:
            spf_total_lookups = self.spf_total_lookups

        srv: None | str | Unset
        if isinstance(self.srv, Unset):
            srv = UNSET
        else:
            srv = self.srv

        tech_in_dns: None | str | Unset
        if isinstance(self.tech_in_dns, Unset):
            tech_in_dns = UNSET
        else:
            tech_in_dns = self.tech_in_dns

        txt: None | str | Unset
        if isinstance(self.txt, Unset):
            txt = UNSET
        else:
            txt = self.txt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failed": failed,
                "id": id,
                "outcome": outcome,
                "scanned_at": scanned_at,
            }
        )
        if a_records is not UNSET:
            field_dict["a_records"] = a_records
        if a_server_asn is not UNSET:
            field_dict["a_server_asn"] = a_server_asn
        if a_server_asn_name is not UNSET:
            field_dict["a_server_asn_name"] = a_server_asn_name
        if a_server_city is not UNSET:
            field_dict["a_server_city"] = a_server_city
        if a_server_country is not UNSET:
            field_dict["a_server_country"] = a_server_country
        if a_server_lat is not UNSET:
            field_dict["a_server_lat"] = a_server_lat
        if a_server_lon is not UNSET:
            field_dict["a_server_lon"] = a_server_lon
        if a_server_region is not UNSET:
            field_dict["a_server_region"] = a_server_region
        if aaaa_records is not UNSET:
            field_dict["aaaa_records"] = aaaa_records
        if bimi is not UNSET:
            field_dict["bimi"] = bimi
        if dkim is not UNSET:
            field_dict["dkim"] = dkim
        if dkim_hosts is not UNSET:
            field_dict["dkim_hosts"] = dkim_hosts
        if dkim_selectors is not UNSET:
            field_dict["dkim_selectors"] = dkim_selectors
        if dkim_vendors is not UNSET:
            field_dict["dkim_vendors"] = dkim_vendors
        if dmarc is not UNSET:
            field_dict["dmarc"] = dmarc
        if dmarc_p_changed_date is not UNSET:
            field_dict["dmarc_p_changed_date"] = dmarc_p_changed_date
        if dmarc_policy_p is not UNSET:
            field_dict["dmarc_policy_p"] = dmarc_policy_p
        if dmarc_rua is not UNSET:
            field_dict["dmarc_rua"] = dmarc_rua
        if dmarc_ruf is not UNSET:
            field_dict["dmarc_ruf"] = dmarc_ruf
        if email_gateway is not UNSET:
            field_dict["email_gateway"] = email_gateway
        if error is not UNSET:
            field_dict["error"] = error
        if gateway_changed_date is not UNSET:
            field_dict["gateway_changed_date"] = gateway_changed_date
        if mx is not UNSET:
            field_dict["mx"] = mx
        if mx_changed_date is not UNSET:
            field_dict["mx_changed_date"] = mx_changed_date
        if mx_server_asn is not UNSET:
            field_dict["mx_server_asn"] = mx_server_asn
        if mx_server_asn_name is not UNSET:
            field_dict["mx_server_asn_name"] = mx_server_asn_name
        if mx_server_city is not UNSET:
            field_dict["mx_server_city"] = mx_server_city
        if mx_server_country is not UNSET:
            field_dict["mx_server_country"] = mx_server_country
        if mx_server_ipv4 is not UNSET:
            field_dict["mx_server_ipv4"] = mx_server_ipv4
        if mx_server_ipv6 is not UNSET:
            field_dict["mx_server_ipv6"] = mx_server_ipv6
        if mx_server_lat is not UNSET:
            field_dict["mx_server_lat"] = mx_server_lat
        if mx_server_lon is not UNSET:
            field_dict["mx_server_lon"] = mx_server_lon
        if mx_server_region is not UNSET:
            field_dict["mx_server_region"] = mx_server_region
        if ns is not UNSET:
            field_dict["ns"] = ns
        if previous_dmarc_p is not UNSET:
            field_dict["previous_dmarc_p"] = previous_dmarc_p
        if previous_email_gateway is not UNSET:
            field_dict["previous_email_gateway"] = previous_email_gateway
        if previous_mx is not UNSET:
            field_dict["previous_mx"] = previous_mx
        if ptr is not UNSET:
            field_dict["ptr"] = ptr
        if soa is not UNSET:
            field_dict["soa"] = soa
        if spf is not UNSET:
            field_dict["spf"] = spf
        if spf_email_senders is not UNSET:
            field_dict["spf_email_senders"] = spf_email_senders
        if spf_limit is not UNSET:
            field_dict["spf_limit"] = spf_limit
        if spf_main_lookups is not UNSET:
            field_dict["spf_main_lookups"] = spf_main_lookups
        if spf_nested_lookups is not UNSET:
            field_dict["spf_nested_lookups"] = spf_nested_lookups
        if spf_total_lookups is not UNSET:
            field_dict["spf_total_lookups"] = spf_total_lookups
        if srv is not UNSET:
            field_dict["srv"] = srv
        if tech_in_dns is not UNSET:
            field_dict["tech_in_dns"] = tech_in_dns
        if txt is not UNSET:
            field_dict["txt"] = txt

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failed = d.pop("failed")

        id = d.pop("id")

        outcome = d.pop("outcome")

        scanned_at = d.pop("scanned_at")

        def _parse_a_records(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_records = _parse_a_records(d.pop("a_records", UNSET))

        def _parse_a_server_asn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_server_asn = _parse_a_server_asn(d.pop("a_server_asn", UNSET))

        def _parse_a_server_asn_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_server_asn_name = _parse_a_server_asn_name(d.pop("a_server_asn_name", UNSET))

        def _parse_a_server_city(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_server_city = _parse_a_server_city(d.pop("a_server_city", UNSET))

        def _parse_a_server_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_server_country = _parse_a_server_country(d.pop("a_server_country", UNSET))

        def _parse_a_server_lat(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        a_server_lat = _parse_a_server_lat(d.pop("a_server_lat", UNSET))

        def _parse_a_server_lon(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        a_server_lon = _parse_a_server_lon(d.pop("a_server_lon", UNSET))

        def _parse_a_server_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        a_server_region = _parse_a_server_region(d.pop("a_server_region", UNSET))

        def _parse_aaaa_records(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        aaaa_records = _parse_aaaa_records(d.pop("aaaa_records", UNSET))

        def _parse_bimi(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bimi = _parse_bimi(d.pop("bimi", UNSET))

        def _parse_dkim(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dkim = _parse_dkim(d.pop("dkim", UNSET))

        def _parse_dkim_hosts(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dkim_hosts = _parse_dkim_hosts(d.pop("dkim_hosts", UNSET))

        def _parse_dkim_selectors(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dkim_selectors = _parse_dkim_selectors(d.pop("dkim_selectors", UNSET))

        def _parse_dkim_vendors(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dkim_vendors = _parse_dkim_vendors(d.pop("dkim_vendors", UNSET))

        def _parse_dmarc(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc = _parse_dmarc(d.pop("dmarc", UNSET))

        def _parse_dmarc_p_changed_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_p_changed_date = _parse_dmarc_p_changed_date(d.pop("dmarc_p_changed_date", UNSET))

        def _parse_dmarc_policy_p(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_policy_p = _parse_dmarc_policy_p(d.pop("dmarc_policy_p", UNSET))

        def _parse_dmarc_rua(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_rua = _parse_dmarc_rua(d.pop("dmarc_rua", UNSET))

        def _parse_dmarc_ruf(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_ruf = _parse_dmarc_ruf(d.pop("dmarc_ruf", UNSET))

        def _parse_email_gateway(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email_gateway = _parse_email_gateway(d.pop("email_gateway", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_gateway_changed_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gateway_changed_date = _parse_gateway_changed_date(d.pop("gateway_changed_date", UNSET))

        def _parse_mx(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx = _parse_mx(d.pop("mx", UNSET))

        def _parse_mx_changed_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_changed_date = _parse_mx_changed_date(d.pop("mx_changed_date", UNSET))

        def _parse_mx_server_asn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_asn = _parse_mx_server_asn(d.pop("mx_server_asn", UNSET))

        def _parse_mx_server_asn_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_asn_name = _parse_mx_server_asn_name(d.pop("mx_server_asn_name", UNSET))

        def _parse_mx_server_city(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_city = _parse_mx_server_city(d.pop("mx_server_city", UNSET))

        def _parse_mx_server_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_country = _parse_mx_server_country(d.pop("mx_server_country", UNSET))

        def _parse_mx_server_ipv4(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_ipv4 = _parse_mx_server_ipv4(d.pop("mx_server_ipv4", UNSET))

        def _parse_mx_server_ipv6(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_ipv6 = _parse_mx_server_ipv6(d.pop("mx_server_ipv6", UNSET))

        def _parse_mx_server_lat(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mx_server_lat = _parse_mx_server_lat(d.pop("mx_server_lat", UNSET))

        def _parse_mx_server_lon(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mx_server_lon = _parse_mx_server_lon(d.pop("mx_server_lon", UNSET))

        def _parse_mx_server_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mx_server_region = _parse_mx_server_region(d.pop("mx_server_region", UNSET))

        def _parse_ns(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ns = _parse_ns(d.pop("ns", UNSET))

        def _parse_previous_dmarc_p(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_dmarc_p = _parse_previous_dmarc_p(d.pop("previous_dmarc_p", UNSET))

        def _parse_previous_email_gateway(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_email_gateway = _parse_previous_email_gateway(d.pop("previous_email_gateway", UNSET))

        def _parse_previous_mx(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_mx = _parse_previous_mx(d.pop("previous_mx", UNSET))

        def _parse_ptr(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ptr = _parse_ptr(d.pop("ptr", UNSET))

        def _parse_soa(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        soa = _parse_soa(d.pop("soa", UNSET))

        def _parse_spf(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        spf = _parse_spf(d.pop("spf", UNSET))

        def _parse_spf_email_senders(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        spf_email_senders = _parse_spf_email_senders(d.pop("spf_email_senders", UNSET))

        def _parse_spf_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        spf_limit = _parse_spf_limit(d.pop("spf_limit", UNSET))

        def _parse_spf_main_lookups(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        spf_main_lookups = _parse_spf_main_lookups(d.pop("spf_main_lookups", UNSET))

        def _parse_spf_nested_lookups(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        spf_nested_lookups = _parse_spf_nested_lookups(d.pop("spf_nested_lookups", UNSET))

        def _parse_spf_total_lookups(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        spf_total_lookups = _parse_spf_total_lookups(d.pop("spf_total_lookups", UNSET))

        def _parse_srv(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        srv = _parse_srv(d.pop("srv", UNSET))

        def _parse_tech_in_dns(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tech_in_dns = _parse_tech_in_dns(d.pop("tech_in_dns", UNSET))

        def _parse_txt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        txt = _parse_txt(d.pop("txt", UNSET))

        flat_scan = cls(
            failed=failed,
            id=id,
            outcome=outcome,
            scanned_at=scanned_at,
            a_records=a_records,
            a_server_asn=a_server_asn,
            a_server_asn_name=a_server_asn_name,
            a_server_city=a_server_city,
            a_server_country=a_server_country,
            a_server_lat=a_server_lat,
            a_server_lon=a_server_lon,
            a_server_region=a_server_region,
            aaaa_records=aaaa_records,
            bimi=bimi,
            dkim=dkim,
            dkim_hosts=dkim_hosts,
            dkim_selectors=dkim_selectors,
            dkim_vendors=dkim_vendors,
            dmarc=dmarc,
            dmarc_p_changed_date=dmarc_p_changed_date,
            dmarc_policy_p=dmarc_policy_p,
            dmarc_rua=dmarc_rua,
            dmarc_ruf=dmarc_ruf,
            email_gateway=email_gateway,
            error=error,
            gateway_changed_date=gateway_changed_date,
            mx=mx,
            mx_changed_date=mx_changed_date,
            mx_server_asn=mx_server_asn,
            mx_server_asn_name=mx_server_asn_name,
            mx_server_city=mx_server_city,
            mx_server_country=mx_server_country,
            mx_server_ipv4=mx_server_ipv4,
            mx_server_ipv6=mx_server_ipv6,
            mx_server_lat=mx_server_lat,
            mx_server_lon=mx_server_lon,
            mx_server_region=mx_server_region,
            ns=ns,
            previous_dmarc_p=previous_dmarc_p,
            previous_email_gateway=previous_email_gateway,
            previous_mx=previous_mx,
            ptr=ptr,
            soa=soa,
            spf=spf,
            spf_email_senders=spf_email_senders,
            spf_limit=spf_limit,
            spf_main_lookups=spf_main_lookups,
            spf_nested_lookups=spf_nested_lookups,
            spf_total_lookups=spf_total_lookups,
            srv=srv,
            tech_in_dns=tech_in_dns,
            txt=txt,
        )

        flat_scan.additional_properties = d
        return flat_scan

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
