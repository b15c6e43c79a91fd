from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_body_type_1_type import ChannelBodyType1Type

T = TypeVar("T", bound="ChannelBodyType1")


@_attrs_define
class ChannelBodyType1:
    """One of the workspace's webhook endpoints (it need not subscribe to `alert.*`).

    Attributes:
        type_ (ChannelBodyType1Type):
        webhook_id (str):
    """

    type_: ChannelBodyType1Type
    webhook_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        webhook_id = self.webhook_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "webhook_id": webhook_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = ChannelBodyType1Type(d.pop("type"))

        webhook_id = d.pop("webhook_id")

        channel_body_type_1 = cls(
            type_=type_,
            webhook_id=webhook_id,
        )

        channel_body_type_1.additional_properties = d
        return channel_body_type_1

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
