from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataDataDeletionData")


@_attrs_define
class DataDataDeletionData:
    """A deletion of a site's analytics for a range, as a job.

    Attributes:
        from_ (str): Start of the range, inclusive (RFC 3339, UTC).
        id (str): The job's id (the id of its `site.data_deleted` event).
        position (int): The log position of the event (pass it as `min_position` to read after it).
        requested_at (str):
        site_id (str):
        status (str): `pending` while the analytics projector works on it, then `completed`. Example: completed.
        to (str): End of the range, exclusive.
    """

    from_: str
    id: str
    position: int
    requested_at: str
    site_id: str
    status: str
    to: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        id = self.id

        position = self.position

        requested_at = self.requested_at

        site_id = self.site_id

        status = self.status

        to = self.to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "id": id,
                "position": position,
                "requested_at": requested_at,
                "site_id": site_id,
                "status": status,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        id = d.pop("id")

        position = d.pop("position")

        requested_at = d.pop("requested_at")

        site_id = d.pop("site_id")

        status = d.pop("status")

        to = d.pop("to")

        data_data_deletion_data = cls(
            from_=from_,
            id=id,
            position=position,
            requested_at=requested_at,
            site_id=site_id,
            status=status,
            to=to,
        )

        data_data_deletion_data.additional_properties = d
        return data_data_deletion_data

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
