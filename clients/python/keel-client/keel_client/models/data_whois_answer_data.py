from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_whois_answer_data_ip_geolocation import DataWhoisAnswerDataIpGeolocation


T = TypeVar("T", bound="DataWhoisAnswerData")


@_attrs_define
class DataWhoisAnswerData:
    """Registration data of a domain: Keel's RDAP summary in `whois`, and DNSai's flat fields.

    Attributes:
        domain (str):
        domain_name (str):
        domain_statuses (list[str]):
        ip_geolocation (DataWhoisAnswerDataIpGeolocation): Where the web server (the apex's first address) is, from the
            latest scan: `{ip, country,
            region, city, lat, lon, asn, asn_name}`; `{}` without MaxMind databases
            (`KEEL_GEOIP_CITY_PATH`, `KEEL_GEOIP_ASN_PATH`).
        privacy_enabled (bool):
        whois (Any): RDAP: registrar, dates, nameservers, statuses, DNSSEC, privacy, registrant and abuse
            contacts; `null` until fetched.
        contact_email (None | str | Unset):
        dnssec_status (None | str | Unset): `signed` or `unsigned`.
        expiry_date (None | str | Unset):
        fetched_at (None | str | Unset):
        name_servers (None | str | Unset): Comma-separated.
        registrant_country (None | str | Unset):
        registrant_name (None | str | Unset):
        registrant_org (None | str | Unset):
        registrant_state (None | str | Unset):
        registrar (None | str | Unset):
        registrar_abuse_email (None | str | Unset):
        registrar_abuse_phone (None | str | Unset):
        registration_date (None | str | Unset):
        updated_date (None | str | Unset):
        whois_server (None | str | Unset):
        whois_status (None | str | Unset): ok, not_found, error, or null before the first lookup.
    """

    domain: str
    domain_name: str
    domain_statuses: list[str]
    ip_geolocation: DataWhoisAnswerDataIpGeolocation
    privacy_enabled: bool
    whois: Any
    contact_email: None | str | Unset = UNSET
    dnssec_status: None | str | Unset = UNSET
    expiry_date: None | str | Unset = UNSET
    fetched_at: None | str | Unset = UNSET
    name_servers: None | str | Unset = UNSET
    registrant_country: None | str | Unset = UNSET
    registrant_name: None | str | Unset = UNSET
    registrant_org: None | str | Unset = UNSET
    registrant_state: None | str | Unset = UNSET
    registrar: None | str | Unset = UNSET
    registrar_abuse_email: None | str | Unset = UNSET
    registrar_abuse_phone: None | str | Unset = UNSET
    registration_date: None | str | Unset = UNSET
    updated_date: None | str | Unset = UNSET
    whois_server: None | str | Unset = UNSET
    whois_status: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

        domain_name = self.domain_name

        domain_statuses = self.domain_statuses

        ip_geolocation = self.ip_geolocation.to_dict()

        privacy_enabled = self.privacy_enabled

        whois = self.whois

        contact_email: None | str | Unset
        if isinstance(self.contact_email, Unset):
            contact_email = UNSET
        else:
            contact_email = self.contact_email

        dnssec_status: None | str | Unset
        if isinstance(self.dnssec_status, Unset):
            dnssec_status = UNSET
        else:
            dnssec_status = self.dnssec_status

        expiry_date: None | str | Unset
        if isinstance(self.expiry_date, Unset):
            expiry_date = UNSET
        else:
            expiry_date = self.expiry_date

        fetched_at: None | str | Unset
        if isinstance(self.fetched_at, Unset):
            fetched_at = UNSET
        else:
            fetched_at = self.fetched_at

        name_servers: None | str | Unset
        if isinstance(self.name_servers, Unset):
            name_servers = UNSET
        else:
            name_servers = self.name_servers

        registrant_country: None | str | Unset
        if isinstance(self.registrant_country, Unset):
            registrant_country = UNSET
        else:
            registrant_country = self.registrant_country

        registrant_name: None | str | Unset
        if isinstance(self.registrant_name, Unset):
            registrant_name = UNSET
        else:
            registrant_name = self.registrant_name

        registrant_org: None | str | Unset
        if isinstance(self.registrant_org, Unset):
            registrant_org = UNSET
        else:
            registrant_org = self.registrant_org

        registrant_state: None | str | Unset
        if isinstance(self.registrant_state, Unset):
            registrant_state = UNSET
        else:
            registrant_state = self.registrant_state

        registrar: None | str | Unset
        if isinstance(self.registrar, Unset):
            registrar = UNSET
        else:
            registrar = self.registrar

        registrar_abuse_email: None | str | Unset
        if isinstance(self.registrar_abuse_email, Unset):
            registrar_abuse_email = UNSET
        else:
            registrar_abuse_email = self.registrar_abuse_email

        registrar_abuse_phone: None | str | Unset
        if isinstance(self.registrar_abuse_phone, Unset):
            registrar_abuse_phone = UNSET
        else:
            registrar_abuse_phone = self.registrar_abuse_phone

        registration_date: None | str | Unset
        if isinstance(self.registration_date, Unset):
            registration_date = UNSET
        else:
            registration_date = self.registration_date

        updated_date: None | str | Unset
        if isinstance(self.updated_date, Unset):
            updated_date = UNSET
        else:
            updated_date = self.updated_date

        whois_server: None | str | Unset
        if isinstance(self.whois_server, Unset):
            whois_server = UNSET
        else:
            whois_server = self.whois_server

        whois_status: None | str | Unset
        if isinstance(self.whois_status, Unset):
            whois_status = UNSET
        else:
            whois_status = self.whois_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domain": domain,
                "domain_name": domain_name,
                "domain_statuses": domain_statuses,
                "ip_geolocation": ip_geolocation,
                "privacy_enabled": privacy_enabled,
                "whois": whois,
            }
        )
        if contact_email is not UNSET:
            field_dict["contact_email"] = contact_email
        if dnssec_status is not UNSET:
            field_dict["dnssec_status"] = dnssec_status
        if expiry_date is not UNSET:
            field_dict["expiry_date"] = expiry_date
        if fetched_at is not UNSET:
            field_dict["fetched_at"] = fetched_at
        if name_servers is not UNSET:
            field_dict["name_servers"] = name_servers
        if registrant_country is not UNSET:
            field_dict["registrant_country"] = registrant_country
        if registrant_name is not UNSET:
            field_dict["registrant_name"] = registrant_name
        if registrant_org is not UNSET:
            field_dict["registrant_org"] = registrant_org
        if registrant_state is not UNSET:
            field_dict["registrant_state"] = registrant_state
        if registrar is not UNSET:
            field_dict["registrar"] = registrar
        if registrar_abuse_email is not UNSET:
            field_dict["registrar_abuse_email"] = registrar_abuse_email
        if registrar_abuse_phone is not UNSET:
            field_dict["registrar_abuse_phone"] = registrar_abuse_phone
        if registration_date is not UNSET:
            field_dict["registration_date"] = registration_date
        if updated_date is not UNSET:
            field_dict["updated_date"] = updated_date
        if whois_server is not UNSET:
            field_dict["whois_server"] = whois_server
        if whois_status is not UNSET:
            field_dict["whois_status"] = whois_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_whois_answer_data_ip_geolocation import DataWhoisAnswerDataIpGeolocation  # noqa: PLC0415

        d = dict(src_dict)
        domain = d.pop("domain")

        domain_name = d.pop("domain_name")

        domain_statuses = cast(list[str], d.pop("domain_statuses"))

        ip_geolocation = DataWhoisAnswerDataIpGeolocation.from_dict(d.pop("ip_geolocation"))

        privacy_enabled = d.pop("privacy_enabled")

        whois = d.pop("whois")

        def _parse_contact_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_email = _parse_contact_email(d.pop("contact_email", UNSET))

        def _parse_dnssec_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dnssec_status = _parse_dnssec_status(d.pop("dnssec_status", UNSET))

        def _parse_expiry_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expiry_date = _parse_expiry_date(d.pop("expiry_date", UNSET))

        def _parse_fetched_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fetched_at = _parse_fetched_at(d.pop("fetched_at", UNSET))

        def _parse_name_servers(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name_servers = _parse_name_servers(d.pop("name_servers", UNSET))

        def _parse_registrant_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrant_country = _parse_registrant_country(d.pop("registrant_country", UNSET))

        def _parse_registrant_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrant_name = _parse_registrant_name(d.pop("registrant_name", UNSET))

        def _parse_registrant_org(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrant_org = _parse_registrant_org(d.pop("registrant_org", UNSET))

        def _parse_registrant_state(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrant_state = _parse_registrant_state(d.pop("registrant_state", UNSET))

        def _parse_registrar(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrar = _parse_registrar(d.pop("registrar", UNSET))

        def _parse_registrar_abuse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrar_abuse_email = _parse_registrar_abuse_email(d.pop("registrar_abuse_email", UNSET))

        def _parse_registrar_abuse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registrar_abuse_phone = _parse_registrar_abuse_phone(d.pop("registrar_abuse_phone", UNSET))

        def _parse_registration_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        registration_date = _parse_registration_date(d.pop("registration_date", UNSET))

        def _parse_updated_date(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        updated_date = _parse_updated_date(d.pop("updated_date", UNSET))

        def _parse_whois_server(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        whois_server = _parse_whois_server(d.pop("whois_server", UNSET))

        def _parse_whois_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        whois_status = _parse_whois_status(d.pop("whois_status", UNSET))

        data_whois_answer_data = cls(
            domain=domain,
            domain_name=domain_name,
            domain_statuses=domain_statuses,
            ip_geolocation=ip_geolocation,
            privacy_enabled=privacy_enabled,
            whois=whois,
            contact_email=contact_email,
            dnssec_status=dnssec_status,
            expiry_date=expiry_date,
            fetched_at=fetched_at,
            name_servers=name_servers,
            registrant_country=registrant_country,
            registrant_name=registrant_name,
            registrant_org=registrant_org,
            registrant_state=registrant_state,
            registrar=registrar,
            registrar_abuse_email=registrar_abuse_email,
            registrar_abuse_phone=registrar_abuse_phone,
            registration_date=registration_date,
            updated_date=updated_date,
            whois_server=whois_server,
            whois_status=whois_status,
        )

        data_whois_answer_data.additional_properties = d
        return data_whois_answer_data

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
