from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SpeedScores")


@_attrs_define
class SpeedScores:
    """Scores and Core Web Vitals of one strategy (mobile or desktop).

    Attributes:
        accessibility (float | None | Unset):
        best_practices (float | None | Unset):
        cls (float | None | Unset): Cumulative Layout Shift (lab).
        fcp_ms (float | None | Unset): First Contentful Paint, ms (lab).
        inp_ms (float | None | Unset): Interaction to Next Paint, ms, the 75th percentile of real visits (field data,
            when
            Chrome's report has the page).
        lcp_ms (float | None | Unset): Largest Contentful Paint, ms (lab).
        load_ms (float | None | Unset): The load event, ms (lab timings of the rendered pass only).
        performance (float | None | Unset): Lighthouse category scores, 0–100.
        seo (float | None | Unset):
        tbt_ms (float | None | Unset): Total Blocking Time, ms (lab).
    """

    accessibility: float | None | Unset = UNSET
    best_practices: float | None | Unset = UNSET
    cls: float | None | Unset = UNSET
    fcp_ms: float | None | Unset = UNSET
    inp_ms: float | None | Unset = UNSET
    lcp_ms: float | None | Unset = UNSET
    load_ms: float | None | Unset = UNSET
    performance: float | None | Unset = UNSET
    seo: float | None | Unset = UNSET
    tbt_ms: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accessibility: float | None | Unset
        if isinstance(self.accessibility, Unset):
            accessibility = UNSET
        else:
            accessibility = self.accessibility

        best_practices: float | None | Unset
        if isinstance(self.best_practices, Unset):
            best_practices = UNSET
        else:
            best_practices = self.best_practices

        cls: float | None | Unset
        if isinstance(self.cls, Unset):
            cls = UNSET
        else:
            cls = self.cls

        fcp_ms: float | None | Unset
        if isinstance(self.fcp_ms, Unset):
            fcp_ms = UNSET
        else:
            fcp_ms = self.fcp_ms

        inp_ms: float | None | Unset
        if isinstance(self.inp_ms, Unset):
            inp_ms = UNSET
        else:
            inp_ms = self.inp_ms

        lcp_ms: float | None | Unset
        if isinstance(self.lcp_ms, Unset):
            lcp_ms = UNSET
        else:
            lcp_ms = self.lcp_ms

        load_ms: float | None | Unset
        if isinstance(self.load_ms, Unset):
            load_ms = UNSET
        else:
            load_ms = self.load_ms

        performance: float | None | Unset
        if isinstance(self.performance, Unset):
            performance = UNSET
        else:
            performance = self.performance

        seo: float | None | Unset
        if isinstance(self.seo, Unset):
            seo = UNSET
        else:
            seo = self.seo

        tbt_ms: float | None | Unset
        if isinstance(self.tbt_ms, Unset):
            tbt_ms = UNSET
        else:
            tbt_ms = self.tbt_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if accessibility is not UNSET:
            field_dict["accessibility"] = accessibility
        if best_practices is not UNSET:
            field_dict["best_practices"] = best_practices
        if cls is not UNSET:
            field_dict["cls"] = cls
        if fcp_ms is not UNSET:
            field_dict["fcp_ms"] = fcp_ms
        if inp_ms is not UNSET:
            field_dict["inp_ms"] = inp_ms
        if lcp_ms is not UNSET:
            field_dict["lcp_ms"] = lcp_ms
        if load_ms is not UNSET:
            field_dict["load_ms"] = load_ms
        if performance is not UNSET:
            field_dict["performance"] = performance
        if seo is not UNSET:
            field_dict["seo"] = seo
        if tbt_ms is not UNSET:
            field_dict["tbt_ms"] = tbt_ms

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_accessibility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        accessibility = _parse_accessibility(d.pop("accessibility", UNSET))

        def _parse_best_practices(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        best_practices = _parse_best_practices(d.pop("best_practices", UNSET))

        def _parse_cls(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cls = _parse_cls(d.pop("cls", UNSET))

        def _parse_fcp_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        fcp_ms = _parse_fcp_ms(d.pop("fcp_ms", UNSET))

        def _parse_inp_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        inp_ms = _parse_inp_ms(d.pop("inp_ms", UNSET))

        def _parse_lcp_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lcp_ms = _parse_lcp_ms(d.pop("lcp_ms", UNSET))

        def _parse_load_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        load_ms = _parse_load_ms(d.pop("load_ms", UNSET))

        def _parse_performance(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        performance = _parse_performance(d.pop("performance", UNSET))

        def _parse_seo(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        seo = _parse_seo(d.pop("seo", UNSET))

        def _parse_tbt_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        tbt_ms = _parse_tbt_ms(d.pop("tbt_ms", UNSET))

        speed_scores = cls(
            accessibility=accessibility,
            best_practices=best_practices,
            cls=cls,
            fcp_ms=fcp_ms,
            inp_ms=inp_ms,
            lcp_ms=lcp_ms,
            load_ms=load_ms,
            performance=performance,
            seo=seo,
            tbt_ms=tbt_ms,
        )

        speed_scores.additional_properties = d
        return speed_scores

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
