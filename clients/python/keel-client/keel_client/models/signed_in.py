from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.membership_view import MembershipView
    from ..models.user_view import UserView


T = TypeVar("T", bound="SignedIn")


@_attrs_define
class SignedIn:
    """A new session: the `keel_session` cookie is set beside this answer.

    Attributes:
        csrf_token (str): Send it back as `X-CSRF-Token` on every write made with the session cookie.
        expires_at (str):
        user (UserView):
        workspaces (list[MembershipView]):
    """

    csrf_token: str
    expires_at: str
    user: UserView
    workspaces: list[MembershipView]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        csrf_token = self.csrf_token

        expires_at = self.expires_at

        user = self.user.to_dict()

        workspaces = []
        for workspaces_item_data in self.workspaces:
            workspaces_item = workspaces_item_data.to_dict()
            workspaces.append(workspaces_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "csrf_token": csrf_token,
                "expires_at": expires_at,
                "user": user,
                "workspaces": workspaces,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.membership_view import MembershipView  # noqa: PLC0415
        from ..models.user_view import UserView  # noqa: PLC0415

        d = dict(src_dict)
        csrf_token = d.pop("csrf_token")

        expires_at = d.pop("expires_at")

        user = UserView.from_dict(d.pop("user"))

        workspaces = []
        _workspaces = d.pop("workspaces")
        for workspaces_item_data in _workspaces:
            workspaces_item = MembershipView.from_dict(workspaces_item_data)

            workspaces.append(workspaces_item)

        signed_in = cls(
            csrf_token=csrf_token,
            expires_at=expires_at,
            user=user,
            workspaces=workspaces,
        )

        signed_in.additional_properties = d
        return signed_in

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
