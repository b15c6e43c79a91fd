from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.settings_body import SettingsBody


T = TypeVar("T", bound="UpdateBody")


@_attrs_define
class UpdateBody:
    """
    Attributes:
        settings (SettingsBody): How an integration counts subscription revenue (see docs/integrations.md).
    """

    settings: SettingsBody

    def to_dict(self) -> dict[str, Any]:
        settings = self.settings.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "settings": settings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        d = dict(src_dict)
        settings = SettingsBody.from_dict(d.pop("settings"))

        update_body = cls(
            settings=settings,
        )

        return update_body
