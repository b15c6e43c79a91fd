from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.google_error import GoogleError
    from ..models.speed_scores import SpeedScores


T = TypeVar("T", bound="PageSpeed")


@_attrs_define
class PageSpeed:
    """Speed, as measured.

    Attributes:
        source (str): `pagespeed_insights`, `lab` (the rendered pass's own timings), `none` (nothing could
            measure it) or `not_requested`.
        desktop (None | SpeedScores | Unset):
        error (GoogleError | None | Unset):
        mobile (None | SpeedScores | Unset):
        note (None | str | Unset): What limited the measurement.
    """

    source: str
    desktop: None | SpeedScores | Unset = UNSET
    error: GoogleError | None | Unset = UNSET
    mobile: None | SpeedScores | Unset = UNSET
    note: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.google_error import GoogleError  # noqa: PLC0415
        from ..models.speed_scores import SpeedScores  # noqa: PLC0415

        source = self.source

        desktop: dict[str, Any] | None | Unset
        if isinstance(self.desktop, Unset):
            desktop = UNSET
        elif isinstance(self.desktop, SpeedScores):
            desktop = self.desktop.to_dict()
        else:
            desktop = self.desktop

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, GoogleError):
            error = self.error.to_dict()
        else:
            error = self.error

        mobile: dict[str, Any] | None | Unset
        if isinstance(self.mobile, Unset):
            mobile = UNSET
        elif isinstance(self.mobile, SpeedScores):
            mobile = self.mobile.to_dict()
        else:
            mobile = self.mobile

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
            }
        )
        if desktop is not UNSET:
            field_dict["desktop"] = desktop
        if error is not UNSET:
            field_dict["error"] = error
        if mobile is not UNSET:
            field_dict["mobile"] = mobile
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.google_error import GoogleError  # noqa: PLC0415
        from ..models.speed_scores import SpeedScores  # noqa: PLC0415

        d = dict(src_dict)
        source = d.pop("source")

        def _parse_desktop(data: object) -> None | SpeedScores | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                desktop_type_1 = SpeedScores.from_dict(data)

                return desktop_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SpeedScores | Unset, data)

        desktop = _parse_desktop(d.pop("desktop", UNSET))

        def _parse_error(data: object) -> GoogleError | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = GoogleError.from_dict(data)

                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GoogleError | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_mobile(data: object) -> None | SpeedScores | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mobile_type_1 = SpeedScores.from_dict(data)

                return mobile_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SpeedScores | Unset, data)

        mobile = _parse_mobile(d.pop("mobile", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        page_speed = cls(
            source=source,
            desktop=desktop,
            error=error,
            mobile=mobile,
            note=note,
        )

        page_speed.additional_properties = d
        return page_speed

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
