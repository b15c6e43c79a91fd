from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.membership_view import MembershipView
    from ..models.user_view import UserView


T = TypeVar("T", bound="MeView")


@_attrs_define
class MeView:
    """Who is signed in, and what they may do in the workspace this request acts in.

    Attributes:
        email_verified (bool): Whether a link sent to the address came back (`POST /auth/verify-email` sends one).
        scopes (list[str]): What the role allows there.
        user (UserView):
        via (str): `session` or `account_token`
        workspaces (list[MembershipView]):
        csrf_token (None | str | Unset): With a session: send it back as `X-CSRF-Token` on every write.
        role (None | str | Unset):
        workspace_id (None | str | Unset): The workspace this request acts in (`X-Workspace-ID`, or the only one).
    """

    email_verified: bool
    scopes: list[str]
    user: UserView
    via: str
    workspaces: list[MembershipView]
    csrf_token: None | str | Unset = UNSET
    role: None | str | Unset = UNSET
    workspace_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email_verified = self.email_verified

        scopes = self.scopes

        user = self.user.to_dict()

        via = self.via

        workspaces = []
        for workspaces_item_data in self.workspaces:
            workspaces_item = workspaces_item_data.to_dict()
            workspaces.append(workspaces_item)

        csrf_token: None | str | Unset
        if isinstance(self.csrf_token, Unset):
            csrf_token = UNSET
        else:
            csrf_token = self.csrf_token

        role: None | str | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        else:
            role = self.role

        workspace_id: None | str | Unset
        if isinstance(self.workspace_id, Unset):
            workspace_id = UNSET
        else:
            workspace_id = self.workspace_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email_verified": email_verified,
                "scopes": scopes,
                "user": user,
                "via": via,
                "workspaces": workspaces,
            }
        )
        if csrf_token is not UNSET:
            field_dict["csrf_token"] = csrf_token
        if role is not UNSET:
            field_dict["role"] = role
        if workspace_id is not UNSET:
            field_dict["workspace_id"] = workspace_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.membership_view import MembershipView  # noqa: PLC0415
        from ..models.user_view import UserView  # noqa: PLC0415

        d = dict(src_dict)
        email_verified = d.pop("email_verified")

        scopes = cast(list[str], d.pop("scopes"))

        user = UserView.from_dict(d.pop("user"))

        via = d.pop("via")

        workspaces = []
        _workspaces = d.pop("workspaces")
        for workspaces_item_data in _workspaces:
            workspaces_item = MembershipView.from_dict(workspaces_item_data)

            workspaces.append(workspaces_item)

        def _parse_csrf_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        csrf_token = _parse_csrf_token(d.pop("csrf_token", UNSET))

        def _parse_role(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        role = _parse_role(d.pop("role", UNSET))

        def _parse_workspace_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workspace_id = _parse_workspace_id(d.pop("workspace_id", UNSET))

        me_view = cls(
            email_verified=email_verified,
            scopes=scopes,
            user=user,
            via=via,
            workspaces=workspaces,
            csrf_token=csrf_token,
            role=role,
            workspace_id=workspace_id,
        )

        me_view.additional_properties = d
        return me_view

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
