from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.call_result_result import CallResultResult


T = TypeVar("T", bound="CallResult")


@_attrs_define
class CallResult:
    """What a tool answered: the REST route's own answer.

    Attributes:
        duration_ms (int):
        result (CallResultResult):
        server (str):
        tool (str):
    """

    duration_ms: int
    result: CallResultResult
    server: str
    tool: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        duration_ms = self.duration_ms

        result = self.result.to_dict()

        server = self.server

        tool = self.tool

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "duration_ms": duration_ms,
                "result": result,
                "server": server,
                "tool": tool,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_result_result import CallResultResult  # noqa: PLC0415

        d = dict(src_dict)
        duration_ms = d.pop("duration_ms")

        result = CallResultResult.from_dict(d.pop("result"))

        server = d.pop("server")

        tool = d.pop("tool")

        call_result = cls(
            duration_ms=duration_ms,
            result=result,
            server=server,
            tool=tool,
        )

        call_result.additional_properties = d
        return call_result

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
