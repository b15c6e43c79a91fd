from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.visitor_row_traits import VisitorRowTraits


T = TypeVar("T", bound="VisitorRow")


@_attrs_define
class VisitorRow:
    """One visitor of a site as the visitors list shows it.

    Attributes:
        events (int):
        goals (int):
        pageviews (int):
        traits (VisitorRowTraits): From identify calls.
        first_seen (None | str | Unset):
        last_seen (None | str | Unset):
        user_id (None | str | Unset):
        visitor_id (None | str | Unset): The id you send with events (`null` for the pixel's anonymous visitors, and
            once erased).
    """

    events: int
    goals: int
    pageviews: int
    traits: VisitorRowTraits
    first_seen: None | str | Unset = UNSET
    last_seen: None | str | Unset = UNSET
    user_id: None | str | Unset = UNSET
    visitor_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        events = self.events

        goals = self.goals

        pageviews = self.pageviews

        traits = self.traits.to_dict()

        first_seen: None | str | Unset
        if isinstance(self.first_seen, Unset):
            first_seen = UNSET
        else:
            first_seen = self.first_seen

        last_seen: None | str | Unset
        if isinstance(self.last_seen, Unset):
            last_seen = UNSET
        else:
            last_seen = self.last_seen

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        visitor_id: None | str | Unset
        if isinstance(self.visitor_id, Unset):
            visitor_id = UNSET
        else:
            visitor_id = self.visitor_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "events": events,
                "goals": goals,
                "pageviews": pageviews,
                "traits": traits,
            }
        )
        if first_seen is not UNSET:
            field_dict["first_seen"] = first_seen
        if last_seen is not UNSET:
            field_dict["last_seen"] = last_seen
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if visitor_id is not UNSET:
            field_dict["visitor_id"] = visitor_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.visitor_row_traits import VisitorRowTraits  # noqa: PLC0415

        d = dict(src_dict)
        events = d.pop("events")

        goals = d.pop("goals")

        pageviews = d.pop("pageviews")

        traits = VisitorRowTraits.from_dict(d.pop("traits"))

        def _parse_first_seen(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_seen = _parse_first_seen(d.pop("first_seen", UNSET))

        def _parse_last_seen(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_seen = _parse_last_seen(d.pop("last_seen", UNSET))

        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        def _parse_visitor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        visitor_id = _parse_visitor_id(d.pop("visitor_id", UNSET))

        visitor_row = cls(
            events=events,
            goals=goals,
            pageviews=pageviews,
            traits=traits,
            first_seen=first_seen,
            last_seen=last_seen,
            user_id=user_id,
            visitor_id=visitor_id,
        )

        visitor_row.additional_properties = d
        return visitor_row

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
