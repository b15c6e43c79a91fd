from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.goal_body_metadata import GoalBodyMetadata


T = TypeVar("T", bound="GoalBody")


@_attrs_define
class GoalBody:
    """
    Attributes:
        name (str): `[a-z0-9_:-]{1,64}`
        visitor_id (str):
        metadata (GoalBodyMetadata | Unset): At most 10 keys; keys and values at most 255 characters.
        occurred_at (None | str | Unset): RFC 3339; defaults to now.
        site_id (str | Unset): Optional with a website key (its site).
    """

    name: str
    visitor_id: str
    metadata: GoalBodyMetadata | Unset = UNSET
    occurred_at: None | str | Unset = UNSET
    site_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        visitor_id = self.visitor_id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        occurred_at: None | str | Unset
        if isinstance(self.occurred_at, Unset):
            occurred_at = UNSET
        else:
            occurred_at = self.occurred_at

        site_id = self.site_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "visitor_id": visitor_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if occurred_at is not UNSET:
            field_dict["occurred_at"] = occurred_at
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.goal_body_metadata import GoalBodyMetadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        visitor_id = d.pop("visitor_id")

        _metadata = d.pop("metadata", UNSET)
        metadata: GoalBodyMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = GoalBodyMetadata.from_dict(_metadata)

        def _parse_occurred_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        occurred_at = _parse_occurred_at(d.pop("occurred_at", UNSET))

        site_id = d.pop("site_id", UNSET)

        goal_body = cls(
            name=name,
            visitor_id=visitor_id,
            metadata=metadata,
            occurred_at=occurred_at,
            site_id=site_id,
        )

        return goal_body
