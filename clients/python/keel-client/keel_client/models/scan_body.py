from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScanBody")


@_attrs_define
class ScanBody:
    """
    Attributes:
        url (str): The page to scan: an http(s) URL (a bare host such as `eshop.cz` is read as
            `https://eshop.cz/`).
        ai_summary (bool | None | Unset): Write a summary (Gemini when configured, else a template). Default true.
        currency (None | str | Unset): The revenue's currency (ISO 4217).
        language (None | str | Unset): The summary's language: `en` (default), `cs`, `sk`, `de`, or any tag Gemini
            writes.
        monthly_revenue (int | None | Unset): Revenue a month (whole units), for the loss estimate in money.
        monthly_visitors (int | None | Unset): Visitors a month, for the loss estimate in visitors.
        pagespeed (bool | None | Unset): Measure speed (PageSpeed Insights when configured). Default true.
    """

    url: str
    ai_summary: bool | None | Unset = UNSET
    currency: None | str | Unset = UNSET
    language: None | str | Unset = UNSET
    monthly_revenue: int | None | Unset = UNSET
    monthly_visitors: int | None | Unset = UNSET
    pagespeed: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        ai_summary: bool | None | Unset
        if isinstance(self.ai_summary, Unset):
            ai_summary = UNSET
        else:
            ai_summary = self.ai_summary

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

        monthly_revenue: int | None | Unset
        if isinstance(self.monthly_revenue, Unset):
            monthly_revenue = UNSET
        else:
            monthly_revenue = self.monthly_revenue

        monthly_visitors: int | None | Unset
        if isinstance(self.monthly_visitors, Unset):
            monthly_visitors = UNSET
        else:
            monthly_visitors = self.monthly_visitors

        pagespeed: bool | None | Unset
        if isinstance(self.pagespeed, Unset):
            pagespeed = UNSET
        else:
            pagespeed = self.pagespeed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
        if ai_summary is not UNSET:
            field_dict["ai_summary"] = ai_summary
        if currency is not UNSET:
            field_dict["currency"] = currency
        if language is not UNSET:
            field_dict["language"] = language
        if monthly_revenue is not UNSET:
            field_dict["monthly_revenue"] = monthly_revenue
        if monthly_visitors is not UNSET:
            field_dict["monthly_visitors"] = monthly_visitors
        if pagespeed is not UNSET:
            field_dict["pagespeed"] = pagespeed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        def _parse_ai_summary(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        ai_summary = _parse_ai_summary(d.pop("ai_summary", UNSET))

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_language(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))

        def _parse_monthly_revenue(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_revenue = _parse_monthly_revenue(d.pop("monthly_revenue", UNSET))

        def _parse_monthly_visitors(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_visitors = _parse_monthly_visitors(d.pop("monthly_visitors", UNSET))

        def _parse_pagespeed(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        pagespeed = _parse_pagespeed(d.pop("pagespeed", UNSET))

        scan_body = cls(
            url=url,
            ai_summary=ai_summary,
            currency=currency,
            language=language,
            monthly_revenue=monthly_revenue,
            monthly_visitors=monthly_visitors,
            pagespeed=pagespeed,
        )

        return scan_body
