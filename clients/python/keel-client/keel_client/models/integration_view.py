from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.progress import Progress
    from ..models.settings_body import SettingsBody


T = TypeVar("T", bound="IntegrationView")


@_attrs_define
class IntegrationView:
    """An integration in Dashtray's shape (`type`, `status`, `connected_at` and `last_sync` in Unix
    milliseconds, `sync_status`), with Keel's details.

        Attributes:
            connected_at (int):
            credential_hint (str):
            id (str):
            livemode (bool):
            objects (int): Over every sync: objects read, payments and refunds recorded.
            payments (int):
            refunds (int):
            settings (SettingsBody): How an integration counts subscription revenue (see docs/integrations.md).
            site_id (str):
            status (str): `active` or `paused`.
            sync_status (str): `syncing` (a sync is running), `active` (the last one went well, or none yet), `error`,
                or `paused`.
            syncs (int): Syncs run to their end (well or not).
            type_ (str):
            webhook_url (str): Where Stripe sends events for this integration.
            last_error (None | str | Unset):
            last_sync (int | None | Unset):
            sync (None | Progress | Unset):
            webhook_secret_hint (None | str | Unset):
    """

    connected_at: int
    credential_hint: str
    id: str
    livemode: bool
    objects: int
    payments: int
    refunds: int
    settings: SettingsBody
    site_id: str
    status: str
    sync_status: str
    syncs: int
    type_: str
    webhook_url: str
    last_error: None | str | Unset = UNSET
    last_sync: int | None | Unset = UNSET
    sync: None | Progress | Unset = UNSET
    webhook_secret_hint: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.progress import Progress  # noqa: PLC0415

        connected_at = self.connected_at

        credential_hint = self.credential_hint

        id = self.id

        livemode = self.livemode

        objects = self.objects

        payments = self.payments

        refunds = self.refunds

        settings = self.settings.to_dict()

        site_id = self.site_id

        status = self.status

        sync_status = self.sync_status

        syncs = self.syncs

        type_ = self.type_

        webhook_url = self.webhook_url

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        last_sync: int | None | Unset
        if isinstance(self.last_sync, Unset):
            last_sync = UNSET
        else:
            last_sync = self.last_sync

        sync: dict[str, Any] | None | Unset
        if isinstance(self.sync, Unset):
            sync = UNSET
        elif isinstance(self.sync, Progress):
            sync = self.sync.to_dict()
        else:
            sync = self.sync

        webhook_secret_hint: None | str | Unset
        if isinstance(self.webhook_secret_hint, Unset):
            webhook_secret_hint = UNSET
        else:
            webhook_secret_hint = self.webhook_secret_hint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connected_at": connected_at,
                "credential_hint": credential_hint,
                "id": id,
                "livemode": livemode,
                "objects": objects,
                "payments": payments,
                "refunds": refunds,
                "settings": settings,
                "site_id": site_id,
                "status": status,
                "sync_status": sync_status,
                "syncs": syncs,
                "type": type_,
                "webhook_url": webhook_url,
            }
        )
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if last_sync is not UNSET:
            field_dict["last_sync"] = last_sync
        if sync is not UNSET:
            field_dict["sync"] = sync
        if webhook_secret_hint is not UNSET:
            field_dict["webhook_secret_hint"] = webhook_secret_hint

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.progress import Progress  # noqa: PLC0415
        from ..models.settings_body import SettingsBody  # noqa: PLC0415

        d = dict(src_dict)
        connected_at = d.pop("connected_at")

        credential_hint = d.pop("credential_hint")

        id = d.pop("id")

        livemode = d.pop("livemode")

        objects = d.pop("objects")

        payments = d.pop("payments")

        refunds = d.pop("refunds")

        settings = SettingsBody.from_dict(d.pop("settings"))

        site_id = d.pop("site_id")

        status = d.pop("status")

        sync_status = d.pop("sync_status")

        syncs = d.pop("syncs")

        type_ = d.pop("type")

        webhook_url = d.pop("webhook_url")

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_last_sync(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_sync = _parse_last_sync(d.pop("last_sync", UNSET))

        def _parse_sync(data: object) -> None | Progress | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sync_type_1 = Progress.from_dict(data)

                return sync_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Progress | Unset, data)

        sync = _parse_sync(d.pop("sync", UNSET))

        def _parse_webhook_secret_hint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_secret_hint = _parse_webhook_secret_hint(d.pop("webhook_secret_hint", UNSET))

        integration_view = cls(
            connected_at=connected_at,
            credential_hint=credential_hint,
            id=id,
            livemode=livemode,
            objects=objects,
            payments=payments,
            refunds=refunds,
            settings=settings,
            site_id=site_id,
            status=status,
            sync_status=sync_status,
            syncs=syncs,
            type_=type_,
            webhook_url=webhook_url,
            last_error=last_error,
            last_sync=last_sync,
            sync=sync,
            webhook_secret_hint=webhook_secret_hint,
        )

        integration_view.additional_properties = d
        return integration_view

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
