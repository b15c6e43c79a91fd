from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PageSiteViewDataItem")


@_attrs_define
class PageSiteViewDataItem:
    """A site as the API shows it.

    Attributes:
        created_at (str):
        currency (str): ISO 4217 default currency.
        domain (str): The host name its traffic comes from, e.g. `shop.example.com`.
        id (str):
        name (str):
        status (str):
        timezone (str): IANA time zone its reports use by default.
        tracking_id (str): Public id for the tracking pixel (safe to put in web pages).
        updated_at (str):
        version (int):
        workspace_id (str):
    """

    created_at: str
    currency: str
    domain: str
    id: str
    name: str
    status: str
    timezone: str
    tracking_id: str
    updated_at: str
    version: int
    workspace_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        currency = self.currency

        domain = self.domain

        id = self.id

        name = self.name

        status = self.status

        timezone = self.timezone

        tracking_id = self.tracking_id

        updated_at = self.updated_at

        version = self.version

        workspace_id = self.workspace_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "currency": currency,
                "domain": domain,
                "id": id,
                "name": name,
                "status": status,
                "timezone": timezone,
                "tracking_id": tracking_id,
                "updated_at": updated_at,
                "version": version,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        currency = d.pop("currency")

        domain = d.pop("domain")

        id = d.pop("id")

        name = d.pop("name")

        status = d.pop("status")

        timezone = d.pop("timezone")

        tracking_id = d.pop("tracking_id")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        page_site_view_data_item = cls(
            created_at=created_at,
            currency=currency,
            domain=domain,
            id=id,
            name=name,
            status=status,
            timezone=timezone,
            tracking_id=tracking_id,
            updated_at=updated_at,
            version=version,
            workspace_id=workspace_id,
        )

        page_site_view_data_item.additional_properties = d
        return page_site_view_data_item

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
