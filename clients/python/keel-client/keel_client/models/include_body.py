from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.comparison_body import ComparisonBody


T = TypeVar("T", bound="IncludeBody")


@_attrs_define
class IncludeBody:
    """
    Attributes:
        comparisons (ComparisonBody | None | Unset):
        imports (bool | Unset): Accepted for Plausible's clients; Keel has no imported data.
        total_rows (bool | Unset): Accepted for Plausible's clients; `meta.total_rows` is always there.
    """

    comparisons: ComparisonBody | None | Unset = UNSET
    imports: bool | Unset = UNSET
    total_rows: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison_body import ComparisonBody  # noqa: PLC0415

        comparisons: dict[str, Any] | None | Unset
        if isinstance(self.comparisons, Unset):
            comparisons = UNSET
        elif isinstance(self.comparisons, ComparisonBody):
            comparisons = self.comparisons.to_dict()
        else:
            comparisons = self.comparisons

        imports = self.imports

        total_rows = self.total_rows

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if comparisons is not UNSET:
            field_dict["comparisons"] = comparisons
        if imports is not UNSET:
            field_dict["imports"] = imports
        if total_rows is not UNSET:
            field_dict["total_rows"] = total_rows

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_body import ComparisonBody  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_comparisons(data: object) -> ComparisonBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comparisons_type_1 = ComparisonBody.from_dict(data)

                return comparisons_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComparisonBody | None | Unset, data)

        comparisons = _parse_comparisons(d.pop("comparisons", UNSET))

        imports = d.pop("imports", UNSET)

        total_rows = d.pop("total_rows", UNSET)

        include_body = cls(
            comparisons=comparisons,
            imports=imports,
            total_rows=total_rows,
        )

        return include_body
