from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.include_echo import IncludeEcho
    from ..models.pagination import Pagination
    from ..models.query_echo_filters_item import QueryEchoFiltersItem
    from ..models.query_echo_order_by_item import QueryEchoOrderByItem


T = TypeVar("T", bound="QueryEcho")


@_attrs_define
class QueryEcho:
    """The query as Keel ran it (the range resolved to instants).

    Attributes:
        date_range (list[str]): `[from, to)`, RFC 3339.
        dimensions (list[str]):
        filters (list[QueryEchoFiltersItem]):
        include (IncludeEcho):
        metrics (list[str]):
        order_by (list[QueryEchoOrderByItem]):
        pagination (Pagination): Dashtray's paging of a list (`GET /api/v1/metrics`).
        site_id (str):
        timezone (str):
    """

    date_range: list[str]
    dimensions: list[str]
    filters: list[QueryEchoFiltersItem]
    include: IncludeEcho
    metrics: list[str]
    order_by: list[QueryEchoOrderByItem]
    pagination: Pagination
    site_id: str
    timezone: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date_range = self.date_range

        dimensions = self.dimensions

        filters = []
        for filters_item_data in self.filters:
            filters_item = filters_item_data.to_dict()
            filters.append(filters_item)

        include = self.include.to_dict()

        metrics = self.metrics

        order_by = []
        for order_by_item_data in self.order_by:
            order_by_item = order_by_item_data.to_dict()
            order_by.append(order_by_item)

        pagination = self.pagination.to_dict()

        site_id = self.site_id

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date_range": date_range,
                "dimensions": dimensions,
                "filters": filters,
                "include": include,
                "metrics": metrics,
                "order_by": order_by,
                "pagination": pagination,
                "site_id": site_id,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.include_echo import IncludeEcho  # noqa: PLC0415
        from ..models.pagination import Pagination  # noqa: PLC0415
        from ..models.query_echo_filters_item import QueryEchoFiltersItem  # noqa: PLC0415
        from ..models.query_echo_order_by_item import QueryEchoOrderByItem  # noqa: PLC0415

        d = dict(src_dict)
        date_range = cast(list[str], d.pop("date_range"))

        dimensions = cast(list[str], d.pop("dimensions"))

        filters = []
        _filters = d.pop("filters")
        for filters_item_data in _filters:
            filters_item = QueryEchoFiltersItem.from_dict(filters_item_data)

            filters.append(filters_item)

        include = IncludeEcho.from_dict(d.pop("include"))

        metrics = cast(list[str], d.pop("metrics"))

        order_by = []
        _order_by = d.pop("order_by")
        for order_by_item_data in _order_by:
            order_by_item = QueryEchoOrderByItem.from_dict(order_by_item_data)

            order_by.append(order_by_item)

        pagination = Pagination.from_dict(d.pop("pagination"))

        site_id = d.pop("site_id")

        timezone = d.pop("timezone")

        query_echo = cls(
            date_range=date_range,
            dimensions=dimensions,
            filters=filters,
            include=include,
            metrics=metrics,
            order_by=order_by,
            pagination=pagination,
            site_id=site_id,
            timezone=timezone,
        )

        query_echo.additional_properties = d
        return query_echo

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
