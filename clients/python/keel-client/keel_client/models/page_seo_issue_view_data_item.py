from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.page_seo_issue_view_data_item_details import PageSeoIssueViewDataItemDetails


T = TypeVar("T", bound="PageSeoIssueViewDataItem")


@_attrs_define
class PageSeoIssueViewDataItem:
    """An SEO issue as the API lists it (core-api's fields first).

    Attributes:
        created_at (str): When the issue was first reported.
        details (PageSeoIssueViewDataItemDetails):
        element (str): What the issue is about on the page (a selector, a URL); empty for the page itself.
        id (str):
        issue_type (str):
        last_report_id (str): The last report that listed it (or, once resolved, the one that no longer did).
        last_seen_at (str):
        severity (str): `critical`, `error`, `warning`, `notice` or `info`.
        status (str): `open` or `resolved`.
        times_opened (int): How many times it was opened (1, or more after it came back).
        url (str):
        resolved_at (None | str | Unset):
    """

    created_at: str
    details: PageSeoIssueViewDataItemDetails
    element: str
    id: str
    issue_type: str
    last_report_id: str
    last_seen_at: str
    severity: str
    status: str
    times_opened: int
    url: str
    resolved_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        details = self.details.to_dict()

        element = self.element

        id = self.id

        issue_type = self.issue_type

        last_report_id = self.last_report_id

        last_seen_at = self.last_seen_at

        severity = self.severity

        status = self.status

        times_opened = self.times_opened

        url = self.url

        resolved_at: None | str | Unset
        if isinstance(self.resolved_at, Unset):
            resolved_at = UNSET
        else:
            resolved_at = self.resolved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "details": details,
                "element": element,
                "id": id,
                "issue_type": issue_type,
                "last_report_id": last_report_id,
                "last_seen_at": last_seen_at,
                "severity": severity,
                "status": status,
                "times_opened": times_opened,
                "url": url,
            }
        )
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.page_seo_issue_view_data_item_details import PageSeoIssueViewDataItemDetails  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        details = PageSeoIssueViewDataItemDetails.from_dict(d.pop("details"))

        element = d.pop("element")

        id = d.pop("id")

        issue_type = d.pop("issue_type")

        last_report_id = d.pop("last_report_id")

        last_seen_at = d.pop("last_seen_at")

        severity = d.pop("severity")

        status = d.pop("status")

        times_opened = d.pop("times_opened")

        url = d.pop("url")

        def _parse_resolved_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at", UNSET))

        page_seo_issue_view_data_item = cls(
            created_at=created_at,
            details=details,
            element=element,
            id=id,
            issue_type=issue_type,
            last_report_id=last_report_id,
            last_seen_at=last_seen_at,
            severity=severity,
            status=status,
            times_opened=times_opened,
            url=url,
            resolved_at=resolved_at,
        )

        page_seo_issue_view_data_item.additional_properties = d
        return page_seo_issue_view_data_item

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
