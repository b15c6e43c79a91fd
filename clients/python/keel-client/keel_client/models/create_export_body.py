from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.export_filters import ExportFilters


T = TypeVar("T", bound="CreateExportBody")


@_attrs_define
class CreateExportBody:
    """
    Attributes:
        columns (list[str] | Unset): Default: every column, in order (domain, unicode, tld, status, added_at,
            first_seen,
            last_scanned, scan_count, email_gateway, dmarc_status, dmarc_policy, spf_status, mx, tags,
            folder, custom_label, is_favorite).
        export_type (None | str | Unset): `csv` (default) or `zip` (the CSV in a zip archive).
        filters (ExportFilters | None | Unset):
        folder_id (None | str | Unset):
    """

    columns: list[str] | Unset = UNSET
    export_type: None | str | Unset = UNSET
    filters: ExportFilters | None | Unset = UNSET
    folder_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.export_filters import ExportFilters  # noqa: PLC0415

        columns: list[str] | Unset = UNSET
        if not isinstance(self.columns, Unset):
            columns = self.columns

        export_type: None | str | Unset
        if isinstance(self.export_type, Unset):
            export_type = UNSET
        else:
            export_type = self.export_type

        filters: dict[str, Any] | None | Unset
        if isinstance(self.filters, Unset):
            filters = UNSET
        elif isinstance(self.filters, ExportFilters):
            filters = self.filters.to_dict()
        else:
            filters = self.filters

        folder_id: None | str | Unset
        if isinstance(self.folder_id, Unset):
            folder_id = UNSET
        else:
            folder_id = self.folder_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if columns is not UNSET:
            field_dict["columns"] = columns
        if export_type is not UNSET:
            field_dict["export_type"] = export_type
        if filters is not UNSET:
            field_dict["filters"] = filters
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.export_filters import ExportFilters  # noqa: PLC0415

        d = dict(src_dict)
        columns = cast(list[str], d.pop("columns", UNSET))

        def _parse_export_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        export_type = _parse_export_type(d.pop("export_type", UNSET))

        def _parse_filters(data: object) -> ExportFilters | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                filters_type_1 = ExportFilters.from_dict(data)

                return filters_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExportFilters | None | Unset, data)

        filters = _parse_filters(d.pop("filters", UNSET))

        def _parse_folder_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        folder_id = _parse_folder_id(d.pop("folder_id", UNSET))

        create_export_body = cls(
            columns=columns,
            export_type=export_type,
            filters=filters,
            folder_id=folder_id,
        )

        return create_export_body
