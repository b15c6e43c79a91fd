from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_meta import ListMeta
    from ..models.page_export_job_data_item import PageExportJobDataItem
    from ..models.page_links import PageLinks
    from ..models.pagination import Pagination


T = TypeVar("T", bound="PageExportJob")


@_attrs_define
class PageExportJob:
    """The answer of every list: a page of rows and where the others are.

    Attributes:
        data (list[PageExportJobDataItem]):
        meta (ListMeta):
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        links (None | PageLinks | Unset):
        pagination (None | Pagination | Unset):
    """

    data: list[PageExportJobDataItem]
    meta: ListMeta
    status: Success
    links: None | PageLinks | Unset = UNSET
    pagination: None | Pagination | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.page_links import PageLinks  # noqa: PLC0415
        from ..models.pagination import Pagination  # noqa: PLC0415

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        status = self.status.value

        links: dict[str, Any] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, PageLinks):
            links = self.links.to_dict()
        else:
            links = self.links

        pagination: dict[str, Any] | None | Unset
        if isinstance(self.pagination, Unset):
            pagination = UNSET
        elif isinstance(self.pagination, Pagination):
            pagination = self.pagination.to_dict()
        else:
            pagination = self.pagination

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
                "status": status,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links
        if pagination is not UNSET:
            field_dict["pagination"] = pagination

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_meta import ListMeta  # noqa: PLC0415
        from ..models.page_export_job_data_item import PageExportJobDataItem  # noqa: PLC0415
        from ..models.page_links import PageLinks  # noqa: PLC0415
        from ..models.pagination import Pagination  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = PageExportJobDataItem.from_dict(data_item_data)

            data.append(data_item)

        meta = ListMeta.from_dict(d.pop("meta"))

        status = Success(d.pop("status"))

        def _parse_links(data: object) -> None | PageLinks | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                links_type_1 = PageLinks.from_dict(data)

                return links_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PageLinks | Unset, data)

        links = _parse_links(d.pop("links", UNSET))

        def _parse_pagination(data: object) -> None | Pagination | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pagination_type_1 = Pagination.from_dict(data)

                return pagination_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Pagination | Unset, data)

        pagination = _parse_pagination(d.pop("pagination", UNSET))

        page_export_job = cls(
            data=data,
            meta=meta,
            status=status,
            links=links,
            pagination=pagination,
        )

        page_export_job.additional_properties = d
        return page_export_job

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
