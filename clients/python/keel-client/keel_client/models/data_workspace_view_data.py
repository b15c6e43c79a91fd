from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.workspace_settings_view import WorkspaceSettingsView


T = TypeVar("T", bound="DataWorkspaceViewData")


@_attrs_define
class DataWorkspaceViewData:
    """A workspace as the API shows it.

    Attributes:
        created_at (str):
        id (str):
        name (str):
        settings (WorkspaceSettingsView):
        slug (str):
        status (str):
        tier (str):
        updated_at (str):
        version (int):
        as_of (None | str | Unset): Set when the answer is the state as of a past time (`?as_of=`), folded from the log.
    """

    created_at: str
    id: str
    name: str
    settings: WorkspaceSettingsView
    slug: str
    status: str
    tier: str
    updated_at: str
    version: int
    as_of: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        name = self.name

        settings = self.settings.to_dict()

        slug = self.slug

        status = self.status

        tier = self.tier

        updated_at = self.updated_at

        version = self.version

        as_of: None | str | Unset
        if isinstance(self.as_of, Unset):
            as_of = UNSET
        else:
            as_of = self.as_of

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "settings": settings,
                "slug": slug,
                "status": status,
                "tier": tier,
                "updated_at": updated_at,
                "version": version,
            }
        )
        if as_of is not UNSET:
            field_dict["as_of"] = as_of

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.workspace_settings_view import WorkspaceSettingsView  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        settings = WorkspaceSettingsView.from_dict(d.pop("settings"))

        slug = d.pop("slug")

        status = d.pop("status")

        tier = d.pop("tier")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        def _parse_as_of(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        as_of = _parse_as_of(d.pop("as_of", UNSET))

        data_workspace_view_data = cls(
            created_at=created_at,
            id=id,
            name=name,
            settings=settings,
            slug=slug,
            status=status,
            tier=tier,
            updated_at=updated_at,
            version=version,
            as_of=as_of,
        )

        data_workspace_view_data.additional_properties = d
        return data_workspace_view_data

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
