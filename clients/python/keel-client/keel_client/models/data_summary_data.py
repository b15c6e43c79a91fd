from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.freshness import Freshness
    from ..models.gateway_share import GatewayShare
    from ..models.recent_change import RecentChange
    from ..models.status_share import StatusShare


T = TypeVar("T", bound="DataSummaryData")


@_attrs_define
class DataSummaryData:
    """The portfolio summary of a workspace, from the counts (a few dozen rows at any size) and the
    newest changes of the past week.
    A workspace's domains at a glance.

        Attributes:
            dmarc (list[StatusShare]): reject, quarantine, none, missing: of the active domains whose DMARC is known (not
                pending), as shares of those.
            email_gateways (list[GatewayShare]): Of the active domains scanned at least once, most used first; percentages
                of those.
            needs_attention_count (int): Domains with DMARC missing or `none`, or SPF missing, over the lookup limit or
                invalid.
            recent_changes (list[RecentChange]): The last 20 changes of the past 7 days, newest first.
            scan_freshness (Freshness):
            scan_status (list[StatusShare]): How their last scans went: ok, partial, failed, nxdomain (inactive) and pending
                (never
                scanned), as shares of all watched domains.
            spf (list[StatusShare]): valid, over_limit, invalid, missing: of the active domains whose SPF is known.
            total_domains (int): Watched domains: active and inactive.
    """

    dmarc: list[StatusShare]
    email_gateways: list[GatewayShare]
    needs_attention_count: int
    recent_changes: list[RecentChange]
    scan_freshness: Freshness
    scan_status: list[StatusShare]
    spf: list[StatusShare]
    total_domains: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dmarc = []
        for dmarc_item_data in self.dmarc:
            dmarc_item = dmarc_item_data.to_dict()
            dmarc.append(dmarc_item)

        email_gateways = []
        for email_gateways_item_data in self.email_gateways:
            email_gateways_item = email_gateways_item_data.to_dict()
            email_gateways.append(email_gateways_item)

        needs_attention_count = self.needs_attention_count

        recent_changes = []
        for recent_changes_item_data in self.recent_changes:
            recent_changes_item = recent_changes_item_data.to_dict()
            recent_changes.append(recent_changes_item)

        scan_freshness = self.scan_freshness.to_dict()

        scan_status = []
        for scan_status_item_data in self.scan_status:
            scan_status_item = scan_status_item_data.to_dict()
            scan_status.append(scan_status_item)

        spf = []
        for spf_item_data in self.spf:
            spf_item = spf_item_data.to_dict()
            spf.append(spf_item)

        total_domains = self.total_domains

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dmarc": dmarc,
                "email_gateways": email_gateways,
                "needs_attention_count": needs_attention_count,
                "recent_changes": recent_changes,
                "scan_freshness": scan_freshness,
                "scan_status": scan_status,
                "spf": spf,
                "total_domains": total_domains,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.freshness import Freshness  # noqa: PLC0415
        from ..models.gateway_share import GatewayShare  # noqa: PLC0415
        from ..models.recent_change import RecentChange  # noqa: PLC0415
        from ..models.status_share import StatusShare  # noqa: PLC0415

        d = dict(src_dict)
        dmarc = []
        _dmarc = d.pop("dmarc")
        for dmarc_item_data in _dmarc:
            dmarc_item = StatusShare.from_dict(dmarc_item_data)

            dmarc.append(dmarc_item)

        email_gateways = []
        _email_gateways = d.pop("email_gateways")
        for email_gateways_item_data in _email_gateways:
            email_gateways_item = GatewayShare.from_dict(email_gateways_item_data)

            email_gateways.append(email_gateways_item)

        needs_attention_count = d.pop("needs_attention_count")

        recent_changes = []
        _recent_changes = d.pop("recent_changes")
        for recent_changes_item_data in _recent_changes:
            recent_changes_item = RecentChange.from_dict(recent_changes_item_data)

            recent_changes.append(recent_changes_item)

        scan_freshness = Freshness.from_dict(d.pop("scan_freshness"))

        scan_status = []
        _scan_status = d.pop("scan_status")
        for scan_status_item_data in _scan_status:
            scan_status_item = StatusShare.from_dict(scan_status_item_data)

            scan_status.append(scan_status_item)

        spf = []
        _spf = d.pop("spf")
        for spf_item_data in _spf:
            spf_item = StatusShare.from_dict(spf_item_data)

            spf.append(spf_item)

        total_domains = d.pop("total_domains")

        data_summary_data = cls(
            dmarc=dmarc,
            email_gateways=email_gateways,
            needs_attention_count=needs_attention_count,
            recent_changes=recent_changes,
            scan_freshness=scan_freshness,
            scan_status=scan_status,
            spf=spf,
            total_domains=total_domains,
        )

        data_summary_data.additional_properties = d
        return data_summary_data

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
