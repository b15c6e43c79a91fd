from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionView")


@_attrs_define
class SubscriptionView:
    """A subscription attributed to a visitor, as last recorded.

    Attributes:
        cancel_at_period_end (bool):
        currency (str):
        mrr (int): Minor units a month.
        plan (str):
        status (str):
        subscription_id (str):
    """

    cancel_at_period_end: bool
    currency: str
    mrr: int
    plan: str
    status: str
    subscription_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cancel_at_period_end = self.cancel_at_period_end

        currency = self.currency

        mrr = self.mrr

        plan = self.plan

        status = self.status

        subscription_id = self.subscription_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cancel_at_period_end": cancel_at_period_end,
                "currency": currency,
                "mrr": mrr,
                "plan": plan,
                "status": status,
                "subscription_id": subscription_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cancel_at_period_end = d.pop("cancel_at_period_end")

        currency = d.pop("currency")

        mrr = d.pop("mrr")

        plan = d.pop("plan")

        status = d.pop("status")

        subscription_id = d.pop("subscription_id")

        subscription_view = cls(
            cancel_at_period_end=cancel_at_period_end,
            currency=currency,
            mrr=mrr,
            plan=plan,
            status=status,
            subscription_id=subscription_id,
        )

        subscription_view.additional_properties = d
        return subscription_view

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
