from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.report_view_scores import ReportViewScores


T = TypeVar("T", bound="ReportView")


@_attrs_define
class ReportView:
    """A report as recorded, and what it changed.

    Attributes:
        created_at (str):
        id (str):
        issues (int): Issues listed (each type and element once).
        opened (list[str]): Issue ids opened (new or back).
        resolved (list[str]): Issue ids resolved (no longer listed).
        scores (ReportViewScores):
        source (str):
        url (str):
    """

    created_at: str
    id: str
    issues: int
    opened: list[str]
    resolved: list[str]
    scores: ReportViewScores
    source: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        issues = self.issues

        opened = self.opened

        resolved = self.resolved

        scores = self.scores.to_dict()

        source = self.source

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "issues": issues,
                "opened": opened,
                "resolved": resolved,
                "scores": scores,
                "source": source,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.report_view_scores import ReportViewScores  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        issues = d.pop("issues")

        opened = cast(list[str], d.pop("opened"))

        resolved = cast(list[str], d.pop("resolved"))

        scores = ReportViewScores.from_dict(d.pop("scores"))

        source = d.pop("source")

        url = d.pop("url")

        report_view = cls(
            created_at=created_at,
            id=id,
            issues=issues,
            opened=opened,
            resolved=resolved,
            scores=scores,
            source=source,
            url=url,
        )

        report_view.additional_properties = d
        return report_view

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
