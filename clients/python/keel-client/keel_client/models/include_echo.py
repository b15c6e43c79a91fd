from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IncludeEcho")


@_attrs_define
class IncludeEcho:
    """
    Attributes:
        imports (bool):
        total_rows (bool):
        comparisons (None | str | Unset): The comparison's mode, if any.
    """

    imports: bool
    total_rows: bool
    comparisons: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        imports = self.imports

        total_rows = self.total_rows

        comparisons: None | str | Unset
        if isinstance(self.comparisons, Unset):
            comparisons = UNSET
        else:
            comparisons = self.comparisons

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imports": imports,
                "total_rows": total_rows,
            }
        )
        if comparisons is not UNSET:
            field_dict["comparisons"] = comparisons

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        imports = d.pop("imports")

        total_rows = d.pop("total_rows")

        def _parse_comparisons(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comparisons = _parse_comparisons(d.pop("comparisons", UNSET))

        include_echo = cls(
            imports=imports,
            total_rows=total_rows,
            comparisons=comparisons,
        )

        include_echo.additional_properties = d
        return include_echo

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
