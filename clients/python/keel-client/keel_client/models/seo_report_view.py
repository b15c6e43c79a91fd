from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.seo_report_view_scores import SeoReportViewScores


T = TypeVar("T", bound="SeoReportView")


@_attrs_define
class SeoReportView:
    """An SEO report as the API shows it.

    Attributes:
        created_at (str):
        id (str):
        issues (int): How many issues it listed.
        scores (SeoReportViewScores):
        source (str): `api`, or `tracking_checker` for a scan's own report.
        url (str):
        scan_id (None | str | Unset):
    """

    created_at: str
    id: str
    issues: int
    scores: SeoReportViewScores
    source: str
    url: str
    scan_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        issues = self.issues

        scores = self.scores.to_dict()

        source = self.source

        url = self.url

        scan_id: None | str | Unset
        if isinstance(self.scan_id, Unset):
            scan_id = UNSET
        else:
            scan_id = self.scan_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "issues": issues,
                "scores": scores,
                "source": source,
                "url": url,
            }
        )
        if scan_id is not UNSET:
            field_dict["scan_id"] = scan_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seo_report_view_scores import SeoReportViewScores  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        issues = d.pop("issues")

        scores = SeoReportViewScores.from_dict(d.pop("scores"))

        source = d.pop("source")

        url = d.pop("url")

        def _parse_scan_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scan_id = _parse_scan_id(d.pop("scan_id", UNSET))

        seo_report_view = cls(
            created_at=created_at,
            id=id,
            issues=issues,
            scores=scores,
            source=source,
            url=url,
            scan_id=scan_id,
        )

        seo_report_view.additional_properties = d
        return seo_report_view

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
