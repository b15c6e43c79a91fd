from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.break_ import Break


T = TypeVar("T", bound="DataChainReportData")


@_attrs_define
class DataChainReportData:
    """A workspace's hash chain, recomputed.

    Attributes:
        checked (int): Links checked.
        head_hash (str):
        head_seq (int):
        ok (bool):
        pending (int): Events of the workspace the chainer has not reached yet.
        status (str): ok or broken
        first_broken (Break | None | Unset):
    """

    checked: int
    head_hash: str
    head_seq: int
    ok: bool
    pending: int
    status: str
    first_broken: Break | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.break_ import Break  # noqa: PLC0415

        checked = self.checked

        head_hash = self.head_hash

        head_seq = self.head_seq

        ok = self.ok

        pending = self.pending

        status = self.status

        first_broken: dict[str, Any] | None | Unset
        if isinstance(self.first_broken, Unset):
            first_broken = UNSET
        elif isinstance(self.first_broken, Break):
            first_broken = self.first_broken.to_dict()
        else:
            first_broken = self.first_broken

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked": checked,
                "head_hash": head_hash,
                "head_seq": head_seq,
                "ok": ok,
                "pending": pending,
                "status": status,
            }
        )
        if first_broken is not UNSET:
            field_dict["first_broken"] = first_broken

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.break_ import Break  # noqa: PLC0415

        d = dict(src_dict)
        checked = d.pop("checked")

        head_hash = d.pop("head_hash")

        head_seq = d.pop("head_seq")

        ok = d.pop("ok")

        pending = d.pop("pending")

        status = d.pop("status")

        def _parse_first_broken(data: object) -> Break | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                first_broken_type_1 = Break.from_dict(data)

                return first_broken_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Break | None | Unset, data)

        first_broken = _parse_first_broken(d.pop("first_broken", UNSET))

        data_chain_report_data = cls(
            checked=checked,
            head_hash=head_hash,
            head_seq=head_seq,
            ok=ok,
            pending=pending,
            status=status,
            first_broken=first_broken,
        )

        data_chain_report_data.additional_properties = d
        return data_chain_report_data

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
