from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pixel_body_properties import PixelBodyProperties


T = TypeVar("T", bound="PixelBody")


@_attrs_define
class PixelBody:
    """
    Attributes:
        url (str): The page's URL; `utm_*` query parameters in it are read.
        event (None | str | Unset): core-api's form of `type` and `name`: `pageview`, or a custom event's name.
        name (None | str | Unset):
        properties (PixelBodyProperties | Unset):
        referrer (None | str | Unset):
        screen_width (int | None | Unset): The viewport's width in CSS pixels (the screen class); `w` is Plausible's
            name for it.
        tracking_id (None | str | Unset): The site's tracking id; without it, the one site whose domain covers the
            `Origin`.
        type_ (None | str | Unset): `pageview` (default) or `custom`.
        user_agent (None | str | Unset): The visitor's user agent, when the request relays it (core-api); else the
            request's own
            `User-Agent` is the visitor's.
    """

    url: str
    event: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    properties: PixelBodyProperties | Unset = UNSET
    referrer: None | str | Unset = UNSET
    screen_width: int | None | Unset = UNSET
    tracking_id: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    user_agent: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        event: None | str | Unset
        if isinstance(self.event, Unset):
            event = UNSET
        else:
            event = self.event

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.properties, Unset):
            properties = self.properties.to_dict()

        referrer: None | str | Unset
        if isinstance(self.referrer, Unset):
            referrer = UNSET
        else:
            referrer = self.referrer

        screen_width: int | None | Unset
        if isinstance(self.screen_width, Unset):
            screen_width = UNSET
        else:
            screen_width = self.screen_width

        tracking_id: None | str | Unset
        if isinstance(self.tracking_id, Unset):
            tracking_id = UNSET
        else:
            tracking_id = self.tracking_id

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        user_agent: None | str | Unset
        if isinstance(self.user_agent, Unset):
            user_agent = UNSET
        else:
            user_agent = self.user_agent

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
        if event is not UNSET:
            field_dict["event"] = event
        if name is not UNSET:
            field_dict["name"] = name
        if properties is not UNSET:
            field_dict["properties"] = properties
        if referrer is not UNSET:
            field_dict["referrer"] = referrer
        if screen_width is not UNSET:
            field_dict["screen_width"] = screen_width
        if tracking_id is not UNSET:
            field_dict["tracking_id"] = tracking_id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pixel_body_properties import PixelBodyProperties  # noqa: PLC0415

        d = dict(src_dict)
        url = d.pop("url")

        def _parse_event(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event = _parse_event(d.pop("event", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _properties = d.pop("properties", UNSET)
        properties: PixelBodyProperties | Unset
        if isinstance(_properties, Unset):
            properties = UNSET
        else:
            properties = PixelBodyProperties.from_dict(_properties)

        def _parse_referrer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        referrer = _parse_referrer(d.pop("referrer", UNSET))

        def _parse_screen_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        screen_width = _parse_screen_width(d.pop("screen_width", UNSET))

        def _parse_tracking_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tracking_id = _parse_tracking_id(d.pop("tracking_id", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_user_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_agent = _parse_user_agent(d.pop("user_agent", UNSET))

        pixel_body = cls(
            url=url,
            event=event,
            name=name,
            properties=properties,
            referrer=referrer,
            screen_width=screen_width,
            tracking_id=tracking_id,
            type_=type_,
            user_agent=user_agent,
        )

        return pixel_body
