from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InvitationView")


@_attrs_define
class InvitationView:
    """
    Attributes:
        created_at (str):
        email (str):
        expires_at (str):
        id (str):
        role (str):
        status (str): pending, accepted, revoked or expired
        workspace_id (str):
        accepted_by (None | str | Unset):
        email_sent (bool | None | Unset): On create and resend: whether the link went out by email.
        invite_url (None | str | Unset): On create and resend, when it did not go out by email (no `KEEL_SMTP_URL`, or
            the server
            refused): the link to pass on yourself. Shown this once.
    """

    created_at: str
    email: str
    expires_at: str
    id: str
    role: str
    status: str
    workspace_id: str
    accepted_by: None | str | Unset = UNSET
    email_sent: bool | None | Unset = UNSET
    invite_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        email = self.email

        expires_at = self.expires_at

        id = self.id

        role = self.role

        status = self.status

        workspace_id = self.workspace_id

        accepted_by: None | str | Unset
        if isinstance(self.accepted_by, Unset):
            accepted_by = UNSET
        else:
            accepted_by = self.accepted_by

        email_sent: bool | None | Unset
        if isinstance(self.email_sent, Unset):
            email_sent = UNSET
        else:
            email_sent = self.email_sent

        invite_url: None | str | Unset
        if isinstance(self.invite_url, Unset):
            invite_url = UNSET
        else:
            invite_url = self.invite_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "email": email,
                "expires_at": expires_at,
                "id": id,
                "role": role,
                "status": status,
                "workspace_id": workspace_id,
            }
        )
        if accepted_by is not UNSET:
            field_dict["accepted_by"] = accepted_by
        if email_sent is not UNSET:
            field_dict["email_sent"] = email_sent
        if invite_url is not UNSET:
            field_dict["invite_url"] = invite_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        email = d.pop("email")

        expires_at = d.pop("expires_at")

        id = d.pop("id")

        role = d.pop("role")

        status = d.pop("status")

        workspace_id = d.pop("workspace_id")

        def _parse_accepted_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accepted_by = _parse_accepted_by(d.pop("accepted_by", UNSET))

        def _parse_email_sent(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        email_sent = _parse_email_sent(d.pop("email_sent", UNSET))

        def _parse_invite_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invite_url = _parse_invite_url(d.pop("invite_url", UNSET))

        invitation_view = cls(
            created_at=created_at,
            email=email,
            expires_at=expires_at,
            id=id,
            role=role,
            status=status,
            workspace_id=workspace_id,
            accepted_by=accepted_by,
            email_sent=email_sent,
            invite_url=invite_url,
        )

        invitation_view.additional_properties = d
        return invitation_view

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
