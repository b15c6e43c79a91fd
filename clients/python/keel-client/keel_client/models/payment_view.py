from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentView")


@_attrs_define
class PaymentView:
    """
    Attributes:
        amount (int):
        currency (str):
        is_free_trial (bool):
        occurred_at (str):
        refunded (bool):
        refunded_amount (int): Refunded since it was recorded (minor units; `refunded` is true once it is all of it).
        renewal (bool):
        transaction_id (str):
        customer_id (None | str | Unset):
    """

    amount: int
    currency: str
    is_free_trial: bool
    occurred_at: str
    refunded: bool
    refunded_amount: int
    renewal: bool
    transaction_id: str
    customer_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        is_free_trial = self.is_free_trial

        occurred_at = self.occurred_at

        refunded = self.refunded

        refunded_amount = self.refunded_amount

        renewal = self.renewal

        transaction_id = self.transaction_id

        customer_id: None | str | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "is_free_trial": is_free_trial,
                "occurred_at": occurred_at,
                "refunded": refunded,
                "refunded_amount": refunded_amount,
                "renewal": renewal,
                "transaction_id": transaction_id,
            }
        )
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        is_free_trial = d.pop("is_free_trial")

        occurred_at = d.pop("occurred_at")

        refunded = d.pop("refunded")

        refunded_amount = d.pop("refunded_amount")

        renewal = d.pop("renewal")

        transaction_id = d.pop("transaction_id")

        def _parse_customer_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer_id = _parse_customer_id(d.pop("customer_id", UNSET))

        payment_view = cls(
            amount=amount,
            currency=currency,
            is_free_trial=is_free_trial,
            occurred_at=occurred_at,
            refunded=refunded,
            refunded_amount=refunded_amount,
            renewal=renewal,
            transaction_id=transaction_id,
            customer_id=customer_id,
        )

        payment_view.additional_properties = d
        return payment_view

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
