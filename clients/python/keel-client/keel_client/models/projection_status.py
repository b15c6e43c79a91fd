from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.feed_progress_type_0 import FeedProgressType0
    from ..models.feed_progress_type_1 import FeedProgressType1
    from ..models.rebuild_view import RebuildView


T = TypeVar("T", bound="ProjectionStatus")


@_attrs_define
class ProjectionStatus:
    """A read model's state, as the operator sees it.

    Attributes:
        applied_position (int): The furthest log position it has applied.
        checkpoint (FeedProgressType0 | FeedProgressType1): Where a projection's feed stands: a position of the log (the
            embedded feed), or a next offset
            per Kafka partition.
        lag_events (int): Events of its streams it has not applied yet.
        lag_seconds (float): Age of the oldest of them.
        name (str):
        status (str): live, lagging (over a minute behind) or rebuilding
        version (int): Bumped when its tables or rules change (then rebuild it).
        last_rebuild (None | RebuildView | Unset):
    """

    applied_position: int
    checkpoint: FeedProgressType0 | FeedProgressType1
    lag_events: int
    lag_seconds: float
    name: str
    status: str
    version: int
    last_rebuild: None | RebuildView | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.feed_progress_type_0 import FeedProgressType0  # noqa: PLC0415
        from ..models.rebuild_view import RebuildView  # noqa: PLC0415

        applied_position = self.applied_position

        checkpoint: dict[str, Any]
        if isinstance(self.checkpoint, FeedProgressType0):
            checkpoint = self.checkpoint.to_dict()
        else:
            checkpoint = self.checkpoint.to_dict()

        lag_events = self.lag_events

        lag_seconds = self.lag_seconds

        name = self.name

        status = self.status

        version = self.version

        last_rebuild: dict[str, Any] | None | Unset
        if isinstance(self.last_rebuild, Unset):
            last_rebuild = UNSET
        elif isinstance(self.last_rebuild, RebuildView):
            last_rebuild = self.last_rebuild.to_dict()
        else:
            last_rebuild = self.last_rebuild

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applied_position": applied_position,
                "checkpoint": checkpoint,
                "lag_events": lag_events,
                "lag_seconds": lag_seconds,
                "name": name,
                "status": status,
                "version": version,
            }
        )
        if last_rebuild is not UNSET:
            field_dict["last_rebuild"] = last_rebuild

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feed_progress_type_0 import FeedProgressType0  # noqa: PLC0415
        from ..models.feed_progress_type_1 import FeedProgressType1  # noqa: PLC0415
        from ..models.rebuild_view import RebuildView  # noqa: PLC0415

        d = dict(src_dict)
        applied_position = d.pop("applied_position")

        def _parse_checkpoint(data: object) -> FeedProgressType0 | FeedProgressType1:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_feed_progress_type_0 = FeedProgressType0.from_dict(data)

                return componentsschemas_feed_progress_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_feed_progress_type_1 = FeedProgressType1.from_dict(data)

            return componentsschemas_feed_progress_type_1

        checkpoint = _parse_checkpoint(d.pop("checkpoint"))

        lag_events = d.pop("lag_events")

        lag_seconds = d.pop("lag_seconds")

        name = d.pop("name")

        status = d.pop("status")

        version = d.pop("version")

        def _parse_last_rebuild(data: object) -> None | RebuildView | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_rebuild_type_1 = RebuildView.from_dict(data)

                return last_rebuild_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RebuildView | Unset, data)

        last_rebuild = _parse_last_rebuild(d.pop("last_rebuild", UNSET))

        projection_status = cls(
            applied_position=applied_position,
            checkpoint=checkpoint,
            lag_events=lag_events,
            lag_seconds=lag_seconds,
            name=name,
            status=status,
            version=version,
            last_rebuild=last_rebuild,
        )

        projection_status.additional_properties = d
        return projection_status

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
