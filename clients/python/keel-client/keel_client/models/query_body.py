from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.include_body import IncludeBody
    from ..models.pagination_body import PaginationBody
    from ..models.query_body_date_range import QueryBodyDateRange
    from ..models.query_body_filters_item import QueryBodyFiltersItem
    from ..models.query_body_order_by_item import QueryBodyOrderByItem


T = TypeVar("T", bound="QueryBody")


@_attrs_define
class QueryBody:
    """A query (Plausible's Stats API v2 shape).

    Attributes:
        metrics (list[str]): visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration, events,
            conversions, conversion_rate, percentage (of the visitors of the same filters).
        date_range (QueryBodyDateRange | Unset): `"day"`, `"7d"`, `"30d"`, `"month"`, `"12mo"`, or `["2026-01-01",
            "2026-01-31"]` (dates in
            the site's zone, both included, or RFC 3339 instants). Default `30d`.
        dimensions (list[str] | Unset): Up to six of: `visit:source`, `visit:utm_source`, `visit:utm_medium`,
            `visit:utm_campaign`, `visit:country`, `visit:region`, `visit:city`, `visit:device`,
            `visit:screen`, `visit:browser`, `visit:browser_version`, `visit:os`, `visit:os_version`,
            `visit:utm_content`, `visit:utm_term`, `visit:entry_page`, `visit:exit_page`,
            `event:page`, `event:hostname`, `event:goal`, `event:props:<name>`, `time`,
            `time:hour`, `time:day`, `time:week`, `time:month`.
        filters (list[QueryBodyFiltersItem] | Unset): Every filter must hold: `[operator, dimension, [values]]` with
            `is`, `is_not`,
            `contains`, `contains_not` (case-insensitive), `matches`, `matches_not` (regular
            expressions); the values of one filter are alternatives. Combine them with
            `["and", [filters]]`, `["or", [filters]]` and `["not", filter]`.
        include (IncludeBody | None | Unset):
        order_by (list[QueryBodyOrderByItem] | Unset): `[[metric or dimension, "asc" | "desc"], …]`. Default: time
            ascending, else the first
            metric descending; ties by the dimensions ascending.
        pagination (None | PaginationBody | Unset):
        site_id (None | str | Unset): The site; optional (the path names it), and if given it must be the path's.
        timezone (None | str | Unset): An IANA zone for the range and time buckets; default the site's.
    """

    metrics: list[str]
    date_range: QueryBodyDateRange | Unset = UNSET
    dimensions: list[str] | Unset = UNSET
    filters: list[QueryBodyFiltersItem] | Unset = UNSET
    include: IncludeBody | None | Unset = UNSET
    order_by: list[QueryBodyOrderByItem] | Unset = UNSET
    pagination: None | PaginationBody | Unset = UNSET
    site_id: None | str | Unset = UNSET
    timezone: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.include_body import IncludeBody  # noqa: PLC0415
        from ..models.pagination_body import PaginationBody  # noqa: PLC0415

        metrics = self.metrics

        date_range: dict[str, Any] | Unset = UNSET
        if not isinstance(self.date_range, Unset):
            date_range = self.date_range.to_dict()

        dimensions: list[str] | Unset = UNSET
        if not isinstance(self.dimensions, Unset):
            dimensions = self.dimensions

        filters: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = []
            for filters_item_data in self.filters:
                filters_item = filters_item_data.to_dict()
                filters.append(filters_item)

        include: dict[str, Any] | None | Unset
        if isinstance(self.include, Unset):
            include = UNSET
        elif isinstance(self.include, IncludeBody):
            include = self.include.to_dict()
        else:
            include = self.include

        order_by: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.order_by, Unset):
            order_by = []
            for order_by_item_data in self.order_by:
                order_by_item = order_by_item_data.to_dict()
                order_by.append(order_by_item)

        pagination: dict[str, Any] | None | Unset
        if isinstance(self.pagination, Unset):
            pagination = UNSET
        elif isinstance(self.pagination, PaginationBody):
            pagination = self.pagination.to_dict()
        else:
            pagination = self.pagination

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metrics": metrics,
            }
        )
        if date_range is not UNSET:
            field_dict["date_range"] = date_range
        if dimensions is not UNSET:
            field_dict["dimensions"] = dimensions
        if filters is not UNSET:
            field_dict["filters"] = filters
        if include is not UNSET:
            field_dict["include"] = include
        if order_by is not UNSET:
            field_dict["order_by"] = order_by
        if pagination is not UNSET:
            field_dict["pagination"] = pagination
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.include_body import IncludeBody  # noqa: PLC0415
        from ..models.pagination_body import PaginationBody  # noqa: PLC0415
        from ..models.query_body_date_range import QueryBodyDateRange  # noqa: PLC0415
        from ..models.query_body_filters_item import QueryBodyFiltersItem  # noqa: PLC0415
        from ..models.query_body_order_by_item import QueryBodyOrderByItem  # noqa: PLC0415

        d = dict(src_dict)
        metrics = cast(list[str], d.pop("metrics"))

        _date_range = d.pop("date_range", UNSET)
        date_range: QueryBodyDateRange | Unset
        if isinstance(_date_range, Unset):
            date_range = UNSET
        else:
            date_range = QueryBodyDateRange.from_dict(_date_range)

        dimensions = cast(list[str], d.pop("dimensions", UNSET))

        _filters = d.pop("filters", UNSET)
        filters: list[QueryBodyFiltersItem] | Unset = UNSET
        if _filters is not UNSET:
            filters = []
            for filters_item_data in _filters:
                filters_item = QueryBodyFiltersItem.from_dict(filters_item_data)

                filters.append(filters_item)

        def _parse_include(data: object) -> IncludeBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                include_type_1 = IncludeBody.from_dict(data)

                return include_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IncludeBody | None | Unset, data)

        include = _parse_include(d.pop("include", UNSET))

        _order_by = d.pop("order_by", UNSET)
        order_by: list[QueryBodyOrderByItem] | Unset = UNSET
        if _order_by is not UNSET:
            order_by = []
            for order_by_item_data in _order_by:
                order_by_item = QueryBodyOrderByItem.from_dict(order_by_item_data)

                order_by.append(order_by_item)

        def _parse_pagination(data: object) -> None | PaginationBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pagination_type_1 = PaginationBody.from_dict(data)

                return pagination_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaginationBody | Unset, data)

        pagination = _parse_pagination(d.pop("pagination", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        query_body = cls(
            metrics=metrics,
            date_range=date_range,
            dimensions=dimensions,
            filters=filters,
            include=include,
            order_by=order_by,
            pagination=pagination,
            site_id=site_id,
            timezone=timezone,
        )

        return query_body
