from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.seo_section_issues_item import SeoSectionIssuesItem
    from ..models.seo_section_scores import SeoSectionScores


T = TypeVar("T", bound="SeoSection")


@_attrs_define
class SeoSection:
    """What the page's own SEO report holds.

    Attributes:
        issues (list[SeoSectionIssuesItem]):
        report_id (str): The report filed for this scan (see `/api/v1/seo/issues/{workspace_id}`).
        scores (SeoSectionScores):
    """

    issues: list[SeoSectionIssuesItem]
    report_id: str
    scores: SeoSectionScores
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issues = []
        for issues_item_data in self.issues:
            issues_item = issues_item_data.to_dict()
            issues.append(issues_item)

        report_id = self.report_id

        scores = self.scores.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issues": issues,
                "report_id": report_id,
                "scores": scores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seo_section_issues_item import SeoSectionIssuesItem  # noqa: PLC0415
        from ..models.seo_section_scores import SeoSectionScores  # noqa: PLC0415

        d = dict(src_dict)
        issues = []
        _issues = d.pop("issues")
        for issues_item_data in _issues:
            issues_item = SeoSectionIssuesItem.from_dict(issues_item_data)

            issues.append(issues_item)

        report_id = d.pop("report_id")

        scores = SeoSectionScores.from_dict(d.pop("scores"))

        seo_section = cls(
            issues=issues,
            report_id=report_id,
            scores=scores,
        )

        seo_section.additional_properties = d
        return seo_section

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
