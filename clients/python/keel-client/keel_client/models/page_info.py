from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PageInfo")


@_attrs_define
class PageInfo:
    """The HTTP side of the fetch.

    Attributes:
        bytes_ (int):
        content_type (str):
        redirected (bool): The URL redirected elsewhere (at most 5 times): the scan's `final_url` is where.
        response_ms (int):
        status_code (int):
    """

    bytes_: int
    content_type: str
    redirected: bool
    response_ms: int
    status_code: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bytes_ = self.bytes_

        content_type = self.content_type

        redirected = self.redirected

        response_ms = self.response_ms

        status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bytes": bytes_,
                "content_type": content_type,
                "redirected": redirected,
                "response_ms": response_ms,
                "status_code": status_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bytes_ = d.pop("bytes")

        content_type = d.pop("content_type")

        redirected = d.pop("redirected")

        response_ms = d.pop("response_ms")

        status_code = d.pop("status_code")

        page_info = cls(
            bytes_=bytes_,
            content_type=content_type,
            redirected=redirected,
            response_ms=response_ms,
            status_code=status_code,
        )

        page_info.additional_properties = d
        return page_info

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
