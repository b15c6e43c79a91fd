from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.success import Success

if TYPE_CHECKING:
    from ..models.accepted import Accepted


T = TypeVar("T", bound="Tracked")


@_attrs_define
class Tracked:
    """The answer to a hit: Keel's `data`, and core-api's `tracked`.

    Attributes:
        data (Accepted): The answer of a write that is taken now and applied later: `accepted`, or `ignored` (a bot's
            hit, which is answered but not recorded).
        status (Success): `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
        tracked (bool): Whether the hit was recorded (false for a bot's).
    """

    data: Accepted
    status: Success
    tracked: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        status = self.status.value

        tracked = self.tracked

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "status": status,
                "tracked": tracked,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.accepted import Accepted  # noqa: PLC0415

        d = dict(src_dict)
        data = Accepted.from_dict(d.pop("data"))

        status = Success(d.pop("status"))

        tracked = d.pop("tracked")

        tracked = cls(
            data=data,
            status=status,
            tracked=tracked,
        )

        tracked.additional_properties = d
        return tracked

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
