from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metrics_average_order_value_type_0 import MetricsAverageOrderValueType0
    from ..models.metrics_revenue_type_0 import MetricsRevenueType0


T = TypeVar("T", bound="ComparisonVecDataItem")


@_attrs_define
class ComparisonVecDataItem:
    """One group of a breakdown: the dimension's value under the dimension's name (`"page": "/a"`),
    and its metrics.

        Attributes:
            average_order_value (MetricsAverageOrderValueType0 | None | Unset): Net revenue per payment, per currency, in
                minor units.
            bounce_rate (int | None | Unset): Percent of visits with one pageview.
            conversion_rate (float | None | Unset): Percent of the unfiltered visitors who converted.
            conversions (int | None | Unset): Visitors who completed the goal.
            events (int | None | Unset):
            pageviews (int | None | Unset):
            revenue (MetricsRevenueType0 | None | Unset): Per currency (ISO 4217).
            views_per_visit (float | None | Unset):
            visit_duration (int | None | Unset): Mean seconds per visit.
            visitors (int | None | Unset):
            visits (int | None | Unset):
    """

    average_order_value: MetricsAverageOrderValueType0 | None | Unset = UNSET
    bounce_rate: int | None | Unset = UNSET
    conversion_rate: float | None | Unset = UNSET
    conversions: int | None | Unset = UNSET
    events: int | None | Unset = UNSET
    pageviews: int | None | Unset = UNSET
    revenue: MetricsRevenueType0 | None | Unset = UNSET
    views_per_visit: float | None | Unset = UNSET
    visit_duration: int | None | Unset = UNSET
    visitors: int | None | Unset = UNSET
    visits: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metrics_average_order_value_type_0 import MetricsAverageOrderValueType0  # noqa: PLC0415
        from ..models.metrics_revenue_type_0 import MetricsRevenueType0  # noqa: PLC0415

        average_order_value: dict[str, Any] | None | Unset
        if isinstance(self.average_order_value, Unset):
            average_order_value = UNSET
        elif isinstance(self.average_order_value, MetricsAverageOrderValueType0):
            average_order_value = self.average_order_value.to_dict()
        else:
            average_order_value = self.average_order_value

        bounce_rate: int | None | Unset
        if isinstance(self.bounce_rate, Unset):
            bounce_rate = UNSET
        else:
            bounce_rate = self.bounce_rate

        conversion_rate: float | None | Unset
        if isinstance(self.conversion_rate, Unset):
            conversion_rate = UNSET
        else:
            conversion_rate = self.conversion_rate

        conversions: int | None | Unset
        if isinstance(self.conversions, Unset):
            conversions = UNSET
        else:
            conversions = self.conversions

        events: int | None | Unset
        if isinstance(self.events, Unset):
            events = UNSET
        else:
            events = self.events

        pageviews: int | None | Unset
        if isinstance(self.pageviews, Unset):
            pageviews = UNSET
        else:
            pageviews = self.pageviews

        revenue: dict[str, Any] | None | Unset
        if isinstance(self.revenue, Unset):
            revenue = UNSET
        elif isinstance(self.revenue, MetricsRevenueType0):
            revenue = self.revenue.to_dict()
        else:
            revenue = self.revenue

        views_per_visit: float | None | Unset
        if isinstance(self.views_per_visit, Unset):
            views_per_visit = UNSET
        else:
            views_per_visit = self.views_per_visit

        visit_duration: int | None | Unset
        if isinstance(self.visit_duration, Unset):
            visit_duration = UNSET
        else:
            visit_duration = self.visit_duration

        visitors: int | None | Unset
        if isinstance(self.visitors, Unset):
            visitors = UNSET
        else:
            visitors = self.visitors

        visits: int | None | Unset
        if isinstance(self.visits, Unset):
            visits = UNSET
        else:
            visits = self.visits

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if average_order_value is not UNSET:
            field_dict["average_order_value"] = average_order_value
        if bounce_rate is not UNSET:
            field_dict["bounce_rate"] = bounce_rate
        if conversion_rate is not UNSET:
            field_dict["conversion_rate"] = conversion_rate
        if conversions is not UNSET:
            field_dict["conversions"] = conversions
        if events is not UNSET:
            field_dict["events"] = events
        if pageviews is not UNSET:
            field_dict["pageviews"] = pageviews
        if revenue is not UNSET:
            field_dict["revenue"] = revenue
        if views_per_visit is not UNSET:
            field_dict["views_per_visit"] = views_per_visit
        if visit_duration is not UNSET:
            field_dict["visit_duration"] = visit_duration
        if visitors is not UNSET:
            field_dict["visitors"] = visitors
        if visits is not UNSET:
            field_dict["visits"] = visits

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metrics_average_order_value_type_0 import MetricsAverageOrderValueType0  # noqa: PLC0415
        from ..models.metrics_revenue_type_0 import MetricsRevenueType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_average_order_value(data: object) -> MetricsAverageOrderValueType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                average_order_value_type_0 = MetricsAverageOrderValueType0.from_dict(data)

                return average_order_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MetricsAverageOrderValueType0 | None | Unset, data)

        average_order_value = _parse_average_order_value(d.pop("average_order_value", UNSET))

        def _parse_bounce_rate(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bounce_rate = _parse_bounce_rate(d.pop("bounce_rate", UNSET))

        def _parse_conversion_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        conversion_rate = _parse_conversion_rate(d.pop("conversion_rate", UNSET))

        def _parse_conversions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        conversions = _parse_conversions(d.pop("conversions", UNSET))

        def _parse_events(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        events = _parse_events(d.pop("events", UNSET))

        def _parse_pageviews(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        pageviews = _parse_pageviews(d.pop("pageviews", UNSET))

        def _parse_revenue(data: object) -> MetricsRevenueType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                revenue_type_0 = MetricsRevenueType0.from_dict(data)

                return revenue_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MetricsRevenueType0 | None | Unset, data)

        revenue = _parse_revenue(d.pop("revenue", UNSET))

        def _parse_views_per_visit(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        views_per_visit = _parse_views_per_visit(d.pop("views_per_visit", UNSET))

        def _parse_visit_duration(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        visit_duration = _parse_visit_duration(d.pop("visit_duration", UNSET))

        def _parse_visitors(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        visitors = _parse_visitors(d.pop("visitors", UNSET))

        def _parse_visits(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        visits = _parse_visits(d.pop("visits", UNSET))

        comparison_vec_data_item = cls(
            average_order_value=average_order_value,
            bounce_rate=bounce_rate,
            conversion_rate=conversion_rate,
            conversions=conversions,
            events=events,
            pageviews=pageviews,
            revenue=revenue,
            views_per_visit=views_per_visit,
            visit_duration=visit_duration,
            visitors=visitors,
            visits=visits,
        )

        comparison_vec_data_item.additional_properties = d
        return comparison_vec_data_item

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
