from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.page_feed_point_data_item_metadata import PageFeedPointDataItemMetadata


T = TypeVar("T", bound="PageFeedPointDataItem")


@_attrs_define
class PageFeedPointDataItem:
    """One point of the flat metrics feed.

    Attributes:
        date (str): The site's local day, YYYY-MM-DD (UTC for a pushed point).
        id (str): This point's id: `<site>:<metric>:<date>` (and `:<currency>` for revenue); a pushed
            point's own id.
        metadata (PageFeedPointDataItemMetadata): `{site_id, date, interval: "day"}`, and `currency` (lower case) for
            revenue.
        metric_id (str): visitors, visits, pageviews, events, revenue, goal:<name>, or a pushed metric's id
        timestamp (int): The start of the day in the site's time zone, in milliseconds since the Unix epoch.
        unit (str): `count`, or the currency (upper case) for revenue (Dashtray).
        value (float): A count, net revenue in minor units, or a pushed point's value as sent.
        currency (None | str | Unset): Revenue only (ISO 4217).
        site_id (None | str | Unset): The site (absent for a pushed metric: it is the workspace's).
    """

    date: str
    id: str
    metadata: PageFeedPointDataItemMetadata
    metric_id: str
    timestamp: int
    unit: str
    value: float
    currency: None | str | Unset = UNSET
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        id = self.id

        metadata = self.metadata.to_dict()

        metric_id = self.metric_id

        timestamp = self.timestamp

        unit = self.unit

        value = self.value

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "id": id,
                "metadata": metadata,
                "metric_id": metric_id,
                "timestamp": timestamp,
                "unit": unit,
                "value": value,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.page_feed_point_data_item_metadata import PageFeedPointDataItemMetadata  # noqa: PLC0415

        d = dict(src_dict)
        date = d.pop("date")

        id = d.pop("id")

        metadata = PageFeedPointDataItemMetadata.from_dict(d.pop("metadata"))

        metric_id = d.pop("metric_id")

        timestamp = d.pop("timestamp")

        unit = d.pop("unit")

        value = d.pop("value")

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        page_feed_point_data_item = cls(
            date=date,
            id=id,
            metadata=metadata,
            metric_id=metric_id,
            timestamp=timestamp,
            unit=unit,
            value=value,
            currency=currency,
            site_id=site_id,
        )

        page_feed_point_data_item.additional_properties = d
        return page_feed_point_data_item

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
