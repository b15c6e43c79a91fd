from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PixelConfig")


@_attrs_define
class PixelConfig:
    """What the pixel script needs to know.

    Attributes:
        domain (str):
        events (list[str]): Hit types the pixel may send.
        session_timeout_minutes (int):
        track_url (str): Where to POST hits.
        tracking_id (str):
    """

    domain: str
    events: list[str]
    session_timeout_minutes: int
    track_url: str
    tracking_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

        events = self.events

        session_timeout_minutes = self.session_timeout_minutes

        track_url = self.track_url

        tracking_id = self.tracking_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domain": domain,
                "events": events,
                "session_timeout_minutes": session_timeout_minutes,
                "track_url": track_url,
                "tracking_id": tracking_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        domain = d.pop("domain")

        events = cast(list[str], d.pop("events"))

        session_timeout_minutes = d.pop("session_timeout_minutes")

        track_url = d.pop("track_url")

        tracking_id = d.pop("tracking_id")

        pixel_config = cls(
            domain=domain,
            events=events,
            session_timeout_minutes=session_timeout_minutes,
            track_url=track_url,
            tracking_id=tracking_id,
        )

        pixel_config.additional_properties = d
        return pixel_config

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
