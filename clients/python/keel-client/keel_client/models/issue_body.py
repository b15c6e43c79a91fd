from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.issue_body_details_type_0 import IssueBodyDetailsType0


T = TypeVar("T", bound="IssueBody")


@_attrs_define
class IssueBody:
    """
    Attributes:
        severity (str): `critical`, `error`, `warning`, `notice` or `info`.
        type_ (str): `missing_alt`, `missing_title`, … (lower-case letters, digits, `_`, `-`).
        details (IssueBodyDetailsType0 | None | Unset):
        element (str | Unset): What on the page (a selector, a URL); empty for the page itself.
    """

    severity: str
    type_: str
    details: IssueBodyDetailsType0 | None | Unset = UNSET
    element: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.issue_body_details_type_0 import IssueBodyDetailsType0  # noqa: PLC0415

        severity = self.severity

        type_ = self.type_

        details: dict[str, Any] | None | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, IssueBodyDetailsType0):
            details = self.details.to_dict()
        else:
            details = self.details

        element = self.element

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "severity": severity,
                "type": type_,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details
        if element is not UNSET:
            field_dict["element"] = element

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.issue_body_details_type_0 import IssueBodyDetailsType0  # noqa: PLC0415

        d = dict(src_dict)
        severity = d.pop("severity")

        type_ = d.pop("type")

        def _parse_details(data: object) -> IssueBodyDetailsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                details_type_0 = IssueBodyDetailsType0.from_dict(data)

                return details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IssueBodyDetailsType0 | None | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

        element = d.pop("element", UNSET)

        issue_body = cls(
            severity=severity,
            type_=type_,
            details=details,
            element=element,
        )

        return issue_body
