from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SeoIssueEventView")


@_attrs_define
class SeoIssueEventView:
    """One step of an issue's history.

    Attributes:
        occurred_at (str):
        report_id (str):
        type_ (str): `opened`, `reopened` or `resolved`.
        severity (None | str | Unset): The severity reported, for `opened` and `reopened`.
    """

    occurred_at: str
    report_id: str
    type_: str
    severity: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        occurred_at = self.occurred_at

        report_id = self.report_id

        type_ = self.type_

        severity: None | str | Unset
        if isinstance(self.severity, Unset):
            severity = UNSET
        else:
            severity = self.severity

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "occurred_at": occurred_at,
                "report_id": report_id,
                "type": type_,
            }
        )
        if severity is not UNSET:
            field_dict["severity"] = severity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        occurred_at = d.pop("occurred_at")

        report_id = d.pop("report_id")

        type_ = d.pop("type")

        def _parse_severity(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        severity = _parse_severity(d.pop("severity", UNSET))

        seo_issue_event_view = cls(
            occurred_at=occurred_at,
            report_id=report_id,
            type_=type_,
            severity=severity,
        )

        seo_issue_event_view.additional_properties = d
        return seo_issue_event_view

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
