from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.change_view import ChangeView
    from ..models.flat_scan import FlatScan
    from ..models.folder_ref import FolderRef
    from ..models.scan_summary import ScanSummary


T = TypeVar("T", bound="DomainDetail")


@_attrs_define
class DomainDetail:
    """One domain with its last 100 changes.

    Attributes:
        added_at (str):
        custom_label (str):
        domain (str): ASCII (punycode) form.
        id (str):
        is_favorite (bool):
        scan_count (int):
        scan_summary (ScanSummary): What the latest scan found, in brief.
        status (str): active; inactive (its last scan found it does not exist, NXDOMAIN: still watched and
            scanned); removed
        tags (Any): Strings.
        tld (str):
        updated_at (str):
        version (int):
        workspace_id (str):
        change_history (list[ChangeView]): DNSai's name for `changes`.
        changes (list[ChangeView]):
        dmarc_policy_p (None | str | Unset): DNSai's name: the DMARC policy (`p=`): reject, quarantine, none, or null.
        email_gateway (None | str | Unset): DNSai's name: the detected email gateway (as `scan_summary.email_gateway`).
        first_seen (None | str | Unset):
        folder (FolderRef | None | Unset):
        folder_id (None | str | Unset): DNSai's name: the folder's id (as `folder.id`).
        last_scanned (None | str | Unset):
        latest_scan (Any | Unset): The whole latest scan: fields, records and failed lookups.
        notes (None | str | Unset):
        removed_at (None | str | Unset):
        scanned_at (None | str | Unset): DNSai's name: when the domain was last scanned (as `last_scanned`).
        spf (None | str | Unset): DNSai's name: the SPF record's text, or null.
        unicode (None | str | Unset): Unicode form of an internationalised name.
        whois (Any | Unset): Registration data (RDAP), `null` until fetched.
        whois_fetched_at (None | str | Unset):
        scan_result (FlatScan | None | Unset):
    """

    added_at: str
    custom_label: str
    domain: str
    id: str
    is_favorite: bool
    scan_count: int
    scan_summary: ScanSummary
    status: str
    tags: Any
    tld: str
    updated_at: str
    version: int
    workspace_id: str
    change_history: list[ChangeView]
    changes: list[ChangeView]
    dmarc_policy_p: None | str | Unset = UNSET
    email_gateway: None | str | Unset = UNSET
    first_seen: None | str | Unset = UNSET
    folder: FolderRef | None | Unset = UNSET
    folder_id: None | str | Unset = UNSET
    last_scanned: None | str | Unset = UNSET
    latest_scan: Any | Unset = UNSET
    notes: None | str | Unset = UNSET
    removed_at: None | str | Unset = UNSET
    scanned_at: None | str | Unset = UNSET
    spf: None | str | Unset = UNSET
    unicode: None | str | Unset = UNSET
    whois: Any | Unset = UNSET
    whois_fetched_at: None | str | Unset = UNSET
    scan_result: FlatScan | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.flat_scan import FlatScan  # noqa: PLC0415
        from ..models.folder_ref import FolderRef  # noqa: PLC0415

        added_at = self.added_at

        custom_label = self.custom_label

        domain = self.domain

        id = self.id

        is_favorite = self.is_favorite

        scan_count = self.scan_count

        scan_summary = self.scan_summary.to_dict()

        status = self.status

        tags = self.tags

        tld = self.tld

        updated_at = self.updated_at

        version = self.version

        workspace_id = self.workspace_id

        change_history = []
        for change_history_item_data in self.change_history:
            change_history_item = change_history_item_data.to_dict()
            change_history.append(change_history_item)

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        dmarc_policy_p: None | str | Unset
        if isinstance(self.dmarc_policy_p, Unset):
            dmarc_policy_p = UNSET
        else:
            dmarc_policy_p = self.dmarc_policy_p

        email_gateway: None | str | Unset
        if isinstance(self.email_gateway, Unset):
            email_gateway = UNSET
        else:
            email_gateway = self.email_gateway

        first_seen: None | str | Unset
        if isinstance(self.first_seen, Unset):
            first_seen = UNSET
        else:
            first_seen = self.first_seen

        folder: dict[str, Any] | None | Unset
        if isinstance(self.folder, Unset):
            folder = UNSET
        elif isinstance(self.folder, FolderRef):
            folder = self.folder.to_dict()
        else:
            folder = self.folder

        folder_id: None | str | Unset
        if isinstance(self.folder_id, Unset):
            folder_id = UNSET
        else:
            folder_id = self.folder_id

        last_scanned: None | str | Unset
        if isinstance(self.last_scanned, Unset):
            last_scanned = UNSET
        else:
            last_scanned = self.last_scanned

        latest_scan = self.latest_scan

        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes

        removed_at: None | str | Unset
        if isinstance(self.removed_at, Unset):
            removed_at = UNSET
        else:
            removed_at = self.removed_at

        scanned_at: None | str | Unset
        if isinstance(self.scanned_at, Unset):
            scanned_at = UNSET
        else:
            scanned_at = self.scanned_at

        spf: None | str | Unset
        if isinstance(self.spf, Unset):
            spf = UNSET
        else:
            spf = self.spf

        unicode: None | str | Unset
        if isinstance(self.unicode, Unset):
            unicode = UNSET
        else:
            unicode = self.unicode

        whois = self.whois

        whois_fetched_at: None | str | Unset
        if isinstance(self.whois_fetched_at, Unset):
            whois_fetched_at = UNSET
        else:
            whois_fetched_at = self.whois_fetched_at

        scan_result: dict[str, Any] | None | Unset
        if isinstance(self.scan_result, Unset):
            scan_result = UNSET
        elif isinstance(self.scan_result, FlatScan):
            scan_result = self.scan_result.to_dict()
        else:
            scan_result = self.scan_result

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "added_at": added_at,
                "custom_label": custom_label,
                "domain": domain,
                "id": id,
                "is_favorite": is_favorite,
                "scan_count": scan_count,
                "scan_summary": scan_summary,
                "status": status,
                "tags": tags,
                "tld": tld,
                "updated_at": updated_at,
                "version": version,
                "workspace_id": workspace_id,
                "change_history": change_history,
                "changes": changes,
            }
        )
        if dmarc_policy_p is not UNSET:
            field_dict["dmarc_policy_p"] = dmarc_policy_p
        if email_gateway is not UNSET:
            field_dict["email_gateway"] = email_gateway
        if first_seen is not UNSET:
            field_dict["first_seen"] = first_seen
        if folder is not UNSET:
            field_dict["folder"] = folder
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id
        if last_scanned is not UNSET:
            field_dict["last_scanned"] = last_scanned
        if latest_scan is not UNSET:
            field_dict["latest_scan"] = latest_scan
        if notes is not UNSET:
            field_dict["notes"] = notes
        if removed_at is not UNSET:
            field_dict["removed_at"] = removed_at
        if scanned_at is not UNSET:
            field_dict["scanned_at"] = scanned_at
        if spf is not UNSET:
            field_dict["spf"] = spf
        if unicode is not UNSET:
            field_dict["unicode"] = unicode
        if whois is not UNSET:
            field_dict["whois"] = whois
        if whois_fetched_at is not UNSET:
            field_dict["whois_fetched_at"] = whois_fetched_at
        if scan_result is not UNSET:
            field_dict["scan_result"] = scan_result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_view import ChangeView  # noqa: PLC0415
        from ..models.flat_scan import FlatScan  # noqa: PLC0415
        from ..models.folder_ref import FolderRef  # noqa: PLC0415
        from ..models.scan_summary import ScanSummary  # noqa: PLC0415

        d = dict(src_dict)
        added_at = d.pop("added_at")

        custom_label = d.pop("custom_label")

        domain = d.pop("domain")

        id = d.pop("id")

        is_favorite = d.pop("is_favorite")

        scan_count = d.pop("scan_count")

        scan_summary = ScanSummary.from_dict(d.pop("scan_summary"))

        status = d.pop("status")

        tags = d.pop("tags")

        tld = d.pop("tld")

        updated_at = d.pop("updated_at")

        version = d.pop("version")

        workspace_id = d.pop("workspace_id")

        change_history = []
        _change_history = d.pop("change_history")
        for change_history_item_data in _change_history:
            change_history_item = ChangeView.from_dict(change_history_item_data)

            change_history.append(change_history_item)

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = ChangeView.from_dict(changes_item_data)

            changes.append(changes_item)

        def _parse_dmarc_policy_p(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dmarc_policy_p = _parse_dmarc_policy_p(d.pop("dmarc_policy_p", UNSET))

        def _parse_email_gateway(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email_gateway = _parse_email_gateway(d.pop("email_gateway", UNSET))

        def _parse_first_seen(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_seen = _parse_first_seen(d.pop("first_seen", UNSET))

        def _parse_folder(data: object) -> FolderRef | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                folder_type_1 = FolderRef.from_dict(data)

                return folder_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FolderRef | None | Unset, data)

        folder = _parse_folder(d.pop("folder", UNSET))

        def _parse_folder_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        folder_id = _parse_folder_id(d.pop("folder_id", UNSET))

        def _parse_last_scanned(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_scanned = _parse_last_scanned(d.pop("last_scanned", UNSET))

        latest_scan = d.pop("latest_scan", UNSET)

        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))

        def _parse_removed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        removed_at = _parse_removed_at(d.pop("removed_at", UNSET))

        def _parse_scanned_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scanned_at = _parse_scanned_at(d.pop("scanned_at", UNSET))

        def _parse_spf(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        spf = _parse_spf(d.pop("spf", UNSET))

        def _parse_unicode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unicode = _parse_unicode(d.pop("unicode", UNSET))

        whois = d.pop("whois", UNSET)

        def _parse_whois_fetched_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        whois_fetched_at = _parse_whois_fetched_at(d.pop("whois_fetched_at", UNSET))

        def _parse_scan_result(data: object) -> FlatScan | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                scan_result_type_1 = FlatScan.from_dict(data)

                return scan_result_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FlatScan | None | Unset, data)

        scan_result = _parse_scan_result(d.pop("scan_result", UNSET))

        domain_detail = cls(
            added_at=added_at,
            custom_label=custom_label,
            domain=domain,
            id=id,
            is_favorite=is_favorite,
            scan_count=scan_count,
            scan_summary=scan_summary,
            status=status,
            tags=tags,
            tld=tld,
            updated_at=updated_at,
            version=version,
            workspace_id=workspace_id,
            change_history=change_history,
            changes=changes,
            dmarc_policy_p=dmarc_policy_p,
            email_gateway=email_gateway,
            first_seen=first_seen,
            folder=folder,
            folder_id=folder_id,
            last_scanned=last_scanned,
            latest_scan=latest_scan,
            notes=notes,
            removed_at=removed_at,
            scanned_at=scanned_at,
            spf=spf,
            unicode=unicode,
            whois=whois,
            whois_fetched_at=whois_fetched_at,
            scan_result=scan_result,
        )

        domain_detail.additional_properties = d
        return domain_detail

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
