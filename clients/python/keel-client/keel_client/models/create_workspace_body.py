from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_body import SettingsBody


T = TypeVar("T", bound="CreateWorkspaceBody")


@_attrs_define
class CreateWorkspaceBody:
    """
    Attributes:
        name (str):
        settings (None | SettingsBody | Unset):
        slug (None | str | Unset):
        tier (None | str | Unset):  Example: free.
    """

    name: str
    settings: None | SettingsBody | Unset = UNSET
    slug: None | str | Unset = UNSET
    tier: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        name = self.name

        settings: dict[str, Any] | None | Unset
        if isinstance(self.settings, Unset):
            settings = UNSET
        elif isinstance(self.settings, SettingsBody):
            settings = self.settings.to_dict()
        else:
            settings = self.settings

        slug: None | str | Unset
        if isinstance(self.slug, Unset):
            slug = UNSET
        else:
            slug = self.slug

        tier: None | str | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        else:
            tier = self.tier

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if settings is not UNSET:
            field_dict["settings"] = settings
        if slug is not UNSET:
            field_dict["slug"] = slug
        if tier is not UNSET:
            field_dict["tier"] = tier

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_settings(data: object) -> None | SettingsBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                settings_type_1 = SettingsBody.from_dict(data)

                return settings_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettingsBody | Unset, data)

        settings = _parse_settings(d.pop("settings", UNSET))

        def _parse_slug(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        slug = _parse_slug(d.pop("slug", UNSET))

        def _parse_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        create_workspace_body = cls(
            name=name,
            settings=settings,
            slug=slug,
            tier=tier,
        )

        return create_workspace_body
