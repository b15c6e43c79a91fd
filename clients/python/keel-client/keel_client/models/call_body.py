from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_body_arguments import CallBodyArguments


T = TypeVar("T", bound="CallBody")


@_attrs_define
class CallBody:
    """
    Attributes:
        tool (str):
        arguments (CallBodyArguments | Unset):
        server (None | str | Unset): The server (`analytics`, …); the tool's own when omitted.
    """

    tool: str
    arguments: CallBodyArguments | Unset = UNSET
    server: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        tool = self.tool

        arguments: dict[str, Any] | Unset = UNSET
        if not isinstance(self.arguments, Unset):
            arguments = self.arguments.to_dict()

        server: None | str | Unset
        if isinstance(self.server, Unset):
            server = UNSET
        else:
            server = self.server

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tool": tool,
            }
        )
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if server is not UNSET:
            field_dict["server"] = server

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_body_arguments import CallBodyArguments  # noqa: PLC0415

        d = dict(src_dict)
        tool = d.pop("tool")

        _arguments = d.pop("arguments", UNSET)
        arguments: CallBodyArguments | Unset
        if isinstance(_arguments, Unset):
            arguments = UNSET
        else:
            arguments = CallBodyArguments.from_dict(_arguments)

        def _parse_server(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        server = _parse_server(d.pop("server", UNSET))

        call_body = cls(
            tool=tool,
            arguments=arguments,
            server=server,
        )

        return call_body
