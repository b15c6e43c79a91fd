from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.export_job_parameters import ExportJobParameters


T = TypeVar("T", bound="ExportJob")


@_attrs_define
class ExportJob:
    """An export job as the API shows it.

    Attributes:
        created_at (str):
        export_type (str): `csv` or `zip` (DNSai's `export_type`).
        id (str):
        parameters (ExportJobParameters): What was asked: columns, filters, folder_id.
        status (str): queued, processing, completed or failed
        task_id (str): DNSai's name for `id`.
        completed_at (None | str | Unset):
        download_url (None | str | Unset): Where to download the file, once completed (a path).
        error (None | str | Unset): Why it failed, when it did.
        file_size (int | None | Unset): Bytes of the CSV, once completed.
        file_url (None | str | Unset): The same as a full URL (DNSai's `file_url`), once completed.
        row_count (int | None | Unset): Rows written, once completed.
    """

    created_at: str
    export_type: str
    id: str
    parameters: ExportJobParameters
    status: str
    task_id: str
    completed_at: None | str | Unset = UNSET
    download_url: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    file_size: int | None | Unset = UNSET
    file_url: None | str | Unset = UNSET
    row_count: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        export_type = self.export_type

        id = self.id

        parameters = self.parameters.to_dict()

        status = self.status

        task_id = self.task_id

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        download_url: None | str | Unset
        if isinstance(self.download_url, Unset):
            download_url = UNSET
        else:
            download_url = self.download_url

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        file_size: int | None | Unset
        if isinstance(self.file_size, Unset):
            file_size = UNSET
        else:
            file_size = self.file_size

        file_url: None | str | Unset
        if isinstance(self.file_url, Unset):
            file_url = UNSET
        else:
            file_url = self.file_url

        row_count: int | None | Unset
        if isinstance(self.row_count, Unset):
            row_count = UNSET
        else:
            row_count = self.row_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "export_type": export_type,
                "id": id,
                "parameters": parameters,
                "status": status,
                "task_id": task_id,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if download_url is not UNSET:
            field_dict["download_url"] = download_url
        if error is not UNSET:
            field_dict["error"] = error
        if file_size is not UNSET:
            field_dict["file_size"] = file_size
        if file_url is not UNSET:
            field_dict["file_url"] = file_url
        if row_count is not UNSET:
            field_dict["row_count"] = row_count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.export_job_parameters import ExportJobParameters  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        export_type = d.pop("export_type")

        id = d.pop("id")

        parameters = ExportJobParameters.from_dict(d.pop("parameters"))

        status = d.pop("status")

        task_id = d.pop("task_id")

        def _parse_completed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_download_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        download_url = _parse_download_url(d.pop("download_url", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_file_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        file_size = _parse_file_size(d.pop("file_size", UNSET))

        def _parse_file_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        file_url = _parse_file_url(d.pop("file_url", UNSET))

        def _parse_row_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        row_count = _parse_row_count(d.pop("row_count", UNSET))

        export_job = cls(
            created_at=created_at,
            export_type=export_type,
            id=id,
            parameters=parameters,
            status=status,
            task_id=task_id,
            completed_at=completed_at,
            download_url=download_url,
            error=error,
            file_size=file_size,
            file_url=file_url,
            row_count=row_count,
        )

        export_job.additional_properties = d
        return export_job

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
