from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amount import Amount
    from ..models.factor import Factor
    from ..models.range_ import Range


T = TypeVar("T", bound="LossEstimate")


@_attrs_define
class LossEstimate:
    """The estimate.

    Attributes:
        conversions_pct (Range): A range in percent.
        factors (list[Factor]):
        model (str):
        not_evaluated (list[str]): What could not be judged from this scan (e.g. speed without a rendered pass or
            PageSpeed).
        visitors_pct (Range): A range in percent.
        monthly_revenue_unmeasured (Amount | None | Unset):
        monthly_visitors_unmeasured (Amount | None | Unset):
    """

    conversions_pct: Range
    factors: list[Factor]
    model: str
    not_evaluated: list[str]
    visitors_pct: Range
    monthly_revenue_unmeasured: Amount | None | Unset = UNSET
    monthly_visitors_unmeasured: Amount | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.amount import Amount  # noqa: PLC0415

        conversions_pct = self.conversions_pct.to_dict()

        factors = []
        for factors_item_data in self.factors:
            factors_item = factors_item_data.to_dict()
            factors.append(factors_item)

        model = self.model

        not_evaluated = self.not_evaluated

        visitors_pct = self.visitors_pct.to_dict()

        monthly_revenue_unmeasured: dict[str, Any] | None | Unset
        if isinstance(self.monthly_revenue_unmeasured, Unset):
            monthly_revenue_unmeasured = UNSET
        elif isinstance(self.monthly_revenue_unmeasured, Amount):
            monthly_revenue_unmeasured = self.monthly_revenue_unmeasured.to_dict()
        else:
            monthly_revenue_unmeasured = self.monthly_revenue_unmeasured

        monthly_visitors_unmeasured: dict[str, Any] | None | Unset
        if isinstance(self.monthly_visitors_unmeasured, Unset):
            monthly_visitors_unmeasured = UNSET
        elif isinstance(self.monthly_visitors_unmeasured, Amount):
            monthly_visitors_unmeasured = self.monthly_visitors_unmeasured.to_dict()
        else:
            monthly_visitors_unmeasured = self.monthly_visitors_unmeasured

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conversions_pct": conversions_pct,
                "factors": factors,
                "model": model,
                "not_evaluated": not_evaluated,
                "visitors_pct": visitors_pct,
            }
        )
        if monthly_revenue_unmeasured is not UNSET:
            field_dict["monthly_revenue_unmeasured"] = monthly_revenue_unmeasured
        if monthly_visitors_unmeasured is not UNSET:
            field_dict["monthly_visitors_unmeasured"] = monthly_visitors_unmeasured

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.amount import Amount  # noqa: PLC0415
        from ..models.factor import Factor  # noqa: PLC0415
        from ..models.range_ import Range  # noqa: PLC0415

        d = dict(src_dict)
        conversions_pct = Range.from_dict(d.pop("conversions_pct"))

        factors = []
        _factors = d.pop("factors")
        for factors_item_data in _factors:
            factors_item = Factor.from_dict(factors_item_data)

            factors.append(factors_item)

        model = d.pop("model")

        not_evaluated = cast(list[str], d.pop("not_evaluated"))

        visitors_pct = Range.from_dict(d.pop("visitors_pct"))

        def _parse_monthly_revenue_unmeasured(data: object) -> Amount | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                monthly_revenue_unmeasured_type_1 = Amount.from_dict(data)

                return monthly_revenue_unmeasured_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Amount | None | Unset, data)

        monthly_revenue_unmeasured = _parse_monthly_revenue_unmeasured(d.pop("monthly_revenue_unmeasured", UNSET))

        def _parse_monthly_visitors_unmeasured(data: object) -> Amount | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                monthly_visitors_unmeasured_type_1 = Amount.from_dict(data)

                return monthly_visitors_unmeasured_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Amount | None | Unset, data)

        monthly_visitors_unmeasured = _parse_monthly_visitors_unmeasured(d.pop("monthly_visitors_unmeasured", UNSET))

        loss_estimate = cls(
            conversions_pct=conversions_pct,
            factors=factors,
            model=model,
            not_evaluated=not_evaluated,
            visitors_pct=visitors_pct,
            monthly_revenue_unmeasured=monthly_revenue_unmeasured,
            monthly_visitors_unmeasured=monthly_visitors_unmeasured,
        )

        loss_estimate.additional_properties = d
        return loss_estimate

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
