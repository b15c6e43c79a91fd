from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_body import SettingsBody


T = TypeVar("T", bound="ConnectBody")


@_attrs_define
class ConnectBody:
    """
    Attributes:
        api_key (str): A restricted key (`rk_live_…`, read access to charges and refunds is enough) or a secret
            key. Write only: never shown again.
        site_id (str): The site whose revenue it feeds.
        type_ (str): `stripe`.
        settings (None | SettingsBody | Unset):
        webhook_secret (None | str | Unset): The signing secret (`whsec_…`) of a Stripe webhook endpoint pointed at
            `POST /api/v1/integrations/{id}/stripe/webhook`. Write only.
    """

    api_key: str
    site_id: str
    type_: str
    settings: None | SettingsBody | Unset = UNSET
    webhook_secret: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        api_key = self.api_key

        site_id = self.site_id

        type_ = self.type_

        settings: dict[str, Any] | None | Unset
        if isinstance(self.settings, Unset):
            settings = UNSET
        elif isinstance(self.settings, SettingsBody):
            settings = self.settings.to_dict()
        else:
            settings = self.settings

        webhook_secret: None | str | Unset
        if isinstance(self.webhook_secret, Unset):
            webhook_secret = UNSET
        else:
            webhook_secret = self.webhook_secret

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "api_key": api_key,
                "site_id": site_id,
                "type": type_,
            }
        )
        if settings is not UNSET:
            field_dict["settings"] = settings
        if webhook_secret is not UNSET:
            field_dict["webhook_secret"] = webhook_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        d = dict(src_dict)
        api_key = d.pop("api_key")

        site_id = d.pop("site_id")

        type_ = d.pop("type")

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

        def _parse_webhook_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_secret = _parse_webhook_secret(d.pop("webhook_secret", UNSET))

        connect_body = cls(
            api_key=api_key,
            site_id=site_id,
            type_=type_,
            settings=settings,
            webhook_secret=webhook_secret,
        )

        return connect_body
