from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataPaymentAnswerData")


@_attrs_define
class DataPaymentAnswerData:
    """A recorded (or already recorded) payment.

    Attributes:
        amount (int):
        currency (str):
        site_id (str):
        status (str): recorded or duplicate
        transaction_id (str):
    """

    amount: int
    currency: str
    site_id: str
    status: str
    transaction_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        site_id = self.site_id

        status = self.status

        transaction_id = self.transaction_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "site_id": site_id,
                "status": status,
                "transaction_id": transaction_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        site_id = d.pop("site_id")

        status = d.pop("status")

        transaction_id = d.pop("transaction_id")

        data_payment_answer_data = cls(
            amount=amount,
            currency=currency,
            site_id=site_id,
            status=status,
            transaction_id=transaction_id,
        )

        data_payment_answer_data.additional_properties = d
        return data_payment_answer_data

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
