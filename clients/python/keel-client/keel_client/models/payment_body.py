from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentBody")


@_attrs_define
class PaymentBody:
    """
    Attributes:
        amount (int): Minor units (cents), a whole number ≥ 0.
        currency (str): ISO 4217.
        transaction_id (str): Unique per site, forever: a second payment with it is a duplicate.
        customer_id (None | str | Unset):
        email (None | str | Unset):
        is_free_trial (bool | Unset):
        occurred_at (None | str | Unset): RFC 3339; defaults to now.
        refunded (bool | Unset):
        renewal (bool | Unset):
        site_id (str | Unset): Optional with a website key (its site).
        visitor_id (None | str | Unset):
    """

    amount: int
    currency: str
    transaction_id: str
    customer_id: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    is_free_trial: bool | Unset = UNSET
    occurred_at: None | str | Unset = UNSET
    refunded: bool | Unset = UNSET
    renewal: bool | Unset = UNSET
    site_id: str | Unset = UNSET
    visitor_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        transaction_id = self.transaction_id

        customer_id: None | str | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        is_free_trial = self.is_free_trial

        occurred_at: None | str | Unset
        if isinstance(self.occurred_at, Unset):
            occurred_at = UNSET
        else:
            occurred_at = self.occurred_at

        refunded = self.refunded

        renewal = self.renewal

        site_id = self.site_id

        visitor_id: None | str | Unset
        if isinstance(self.visitor_id, Unset):
            visitor_id = UNSET
        else:
            visitor_id = self.visitor_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "transaction_id": transaction_id,
            }
        )
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id
        if email is not UNSET:
            field_dict["email"] = email
        if is_free_trial is not UNSET:
            field_dict["is_free_trial"] = is_free_trial
        if occurred_at is not UNSET:
            field_dict["occurred_at"] = occurred_at
        if refunded is not UNSET:
            field_dict["refunded"] = refunded
        if renewal is not UNSET:
            field_dict["renewal"] = renewal
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if visitor_id is not UNSET:
            field_dict["visitor_id"] = visitor_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        transaction_id = d.pop("transaction_id")

        def _parse_customer_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer_id = _parse_customer_id(d.pop("customer_id", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        is_free_trial = d.pop("is_free_trial", UNSET)

        def _parse_occurred_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        occurred_at = _parse_occurred_at(d.pop("occurred_at", UNSET))

        refunded = d.pop("refunded", UNSET)

        renewal = d.pop("renewal", UNSET)

        site_id = d.pop("site_id", UNSET)

        def _parse_visitor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        visitor_id = _parse_visitor_id(d.pop("visitor_id", UNSET))

        payment_body = cls(
            amount=amount,
            currency=currency,
            transaction_id=transaction_id,
            customer_id=customer_id,
            email=email,
            is_free_trial=is_free_trial,
            occurred_at=occurred_at,
            refunded=refunded,
            renewal=renewal,
            site_id=site_id,
            visitor_id=visitor_id,
        )

        return payment_body
