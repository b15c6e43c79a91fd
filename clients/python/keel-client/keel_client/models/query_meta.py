from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="QueryMeta")


@_attrs_define
class QueryMeta:
    """
    Attributes:
        source (str): Always `events`: queries read the hits.
        total_rows (int): Rows before pagination.
        comparison_date_range (list[str] | None | Unset): With comparisons: the comparison range, `[from, to)`.
    """

    source: str
    total_rows: int
    comparison_date_range: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        total_rows = self.total_rows

        comparison_date_range: list[str] | None | Unset
        if isinstance(self.comparison_date_range, Unset):
            comparison_date_range = UNSET
        elif isinstance(self.comparison_date_range, list):
            comparison_date_range = self.comparison_date_range

        else:
            comparison_date_range = self.comparison_date_range

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "total_rows": total_rows,
            }
        )
        if comparison_date_range is not UNSET:
            field_dict["comparison_date_range"] = comparison_date_range

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source = d.pop("source")

        total_rows = d.pop("total_rows")

        def _parse_comparison_date_range(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                comparison_date_range_type_0 = cast(list[str], data)

                return comparison_date_range_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        comparison_date_range = _parse_comparison_date_range(d.pop("comparison_date_range", UNSET))

        query_meta = cls(
            source=source,
            total_rows=total_rows,
            comparison_date_range=comparison_date_range,
        )

        query_meta.additional_properties = d
        return query_meta

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
