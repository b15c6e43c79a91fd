from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookAnswer")


@_attrs_define
class WebhookAnswer:
    """What a webhook delivery came to.

    Attributes:
        handled (bool): False for a type Keel does not act on (acknowledged all the same).
        received (bool):
        recorded (int): Payments, refunds and subscription changes this delivery recorded (0 for what Keel had
            already, or a reading older than Keel's).
        type_ (str): The event's type, as Stripe named it.
    """

    handled: bool
    received: bool
    recorded: int
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        handled = self.handled

        received = self.received

        recorded = self.recorded

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "handled": handled,
                "received": received,
                "recorded": recorded,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        handled = d.pop("handled")

        received = d.pop("received")

        recorded = d.pop("recorded")

        type_ = d.pop("type")

        webhook_answer = cls(
            handled=handled,
            received=received,
            recorded=recorded,
            type_=type_,
        )

        webhook_answer.additional_properties = d
        return webhook_answer

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
