from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.comparison_funnel import ComparisonFunnel
    from ..models.stats_answer_funnel_data import StatsAnswerFunnelData
    from ..models.stats_meta import StatsMeta


T = TypeVar("T", bound="StatsAnswerFunnel")


@_attrs_define
class StatsAnswerFunnel:
    """An analytics answer: `data` and `meta`.

    Attributes:
        data (StatsAnswerFunnelData): A funnel: who entered with step 1 in the range, and how far they got within the
            window.
        meta (StatsMeta): What an analytics answer covers and where it came from.
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        comparison (ComparisonFunnel | None | Unset):
    """

    data: StatsAnswerFunnelData
    meta: StatsMeta
    status: Success
    comparison: ComparisonFunnel | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison_funnel import ComparisonFunnel  # noqa: PLC0415

        data = self.data.to_dict()

        meta = self.meta.to_dict()

        status = self.status.value

        comparison: dict[str, Any] | None | Unset
        if isinstance(self.comparison, Unset):
            comparison = UNSET
        elif isinstance(self.comparison, ComparisonFunnel):
            comparison = self.comparison.to_dict()
        else:
            comparison = self.comparison

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
                "status": status,
            }
        )
        if comparison is not UNSET:
            field_dict["comparison"] = comparison

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison_funnel import ComparisonFunnel  # noqa: PLC0415
        from ..models.stats_answer_funnel_data import StatsAnswerFunnelData  # noqa: PLC0415
        from ..models.stats_meta import StatsMeta  # noqa: PLC0415

        d = dict(src_dict)
        data = StatsAnswerFunnelData.from_dict(d.pop("data"))

        meta = StatsMeta.from_dict(d.pop("meta"))

        status = Success(d.pop("status"))

        def _parse_comparison(data: object) -> ComparisonFunnel | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comparison_type_1 = ComparisonFunnel.from_dict(data)

                return comparison_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComparisonFunnel | None | Unset, data)

        comparison = _parse_comparison(d.pop("comparison", UNSET))

        stats_answer_funnel = cls(
            data=data,
            meta=meta,
            status=status,
            comparison=comparison,
        )

        stats_answer_funnel.additional_properties = d
        return stats_answer_funnel

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
