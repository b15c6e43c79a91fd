from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.issue_body import IssueBody
    from ..models.report_body_scores_type_0 import ReportBodyScoresType0


T = TypeVar("T", bound="ReportBody")


@_attrs_define
class ReportBody:
    """
    Attributes:
        url (str):
        issues (list[IssueBody] | Unset): Every issue the page has now: issues of this URL not listed are resolved.
        scores (None | ReportBodyScoresType0 | Unset): Scores from 0 to 100 (`performance`, `accessibility`,
            `best_practices`, `seo`, …).
    """

    url: str
    issues: list[IssueBody] | Unset = UNSET
    scores: None | ReportBodyScoresType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.report_body_scores_type_0 import ReportBodyScoresType0  # noqa: PLC0415

        url = self.url

        issues: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.issues, Unset):
            issues = []
            for issues_item_data in self.issues:
                issues_item = issues_item_data.to_dict()
                issues.append(issues_item)

        scores: dict[str, Any] | None | Unset
        if isinstance(self.scores, Unset):
            scores = UNSET
        elif isinstance(self.scores, ReportBodyScoresType0):
            scores = self.scores.to_dict()
        else:
            scores = self.scores

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
        if issues is not UNSET:
            field_dict["issues"] = issues
        if scores is not UNSET:
            field_dict["scores"] = scores

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.issue_body import IssueBody  # noqa: PLC0415
        from ..models.report_body_scores_type_0 import ReportBodyScoresType0  # noqa: PLC0415

        d = dict(src_dict)
        url = d.pop("url")

        _issues = d.pop("issues", UNSET)
        issues: list[IssueBody] | Unset = UNSET
        if _issues is not UNSET:
            issues = []
            for issues_item_data in _issues:
                issues_item = IssueBody.from_dict(issues_item_data)

                issues.append(issues_item)

        def _parse_scores(data: object) -> None | ReportBodyScoresType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                scores_type_0 = ReportBodyScoresType0.from_dict(data)

                return scores_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReportBodyScoresType0 | Unset, data)

        scores = _parse_scores(d.pop("scores", UNSET))

        report_body = cls(
            url=url,
            issues=issues,
            scores=scores,
        )

        return report_body
