from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.changes import Changes
    from ..models.consent import Consent
    from ..models.finding import Finding
    from ..models.loss_estimate import LossEstimate
    from ..models.page_info import PageInfo
    from ..models.page_speed import PageSpeed
    from ..models.passes import Passes
    from ..models.scan_error import ScanError
    from ..models.scan_view_options import ScanViewOptions
    from ..models.seo_section import SeoSection
    from ..models.summary import Summary


T = TypeVar("T", bound="ScanView")


@_attrs_define
class ScanView:
    """A scan: queued, completed (with its findings) or failed (with why).

    Attributes:
        created_at (str):
        id (str):
        options (ScanViewOptions):
        status (str): `queued`, `completed` or `failed`.
        url (str):
        ai_summary (None | Summary | Unset):
        changes (Changes | None | Unset):
        completed_at (None | str | Unset):
        consent (Consent | None | Unset):
        duration_ms (int | None | Unset):
        error (None | ScanError | Unset):
        final_url (None | str | Unset): Where the page ended up after redirects.
        loss_estimate (LossEstimate | None | Unset):
        page (None | PageInfo | Unset):
        pagespeed (None | PageSpeed | Unset):
        passes (None | Passes | Unset):
        seo (None | SeoSection | Unset):
        signatures_version (None | str | Unset): The signature table the scan used.
        tracker_ids (list[str] | None | Unset): The ids of the trackers found (lists carry these; a scan's own page the
            whole result).
        trackers (list[Finding] | None | Unset): Tracker detection.
    """

    created_at: str
    id: str
    options: ScanViewOptions
    status: str
    url: str
    ai_summary: None | Summary | Unset = UNSET
    changes: Changes | None | Unset = UNSET
    completed_at: None | str | Unset = UNSET
    consent: Consent | None | Unset = UNSET
    duration_ms: int | None | Unset = UNSET
    error: None | ScanError | Unset = UNSET
    final_url: None | str | Unset = UNSET
    loss_estimate: LossEstimate | None | Unset = UNSET
    page: None | PageInfo | Unset = UNSET
    pagespeed: None | PageSpeed | Unset = UNSET
    passes: None | Passes | Unset = UNSET
    seo: None | SeoSection | Unset = UNSET
    signatures_version: None | str | Unset = UNSET
    tracker_ids: list[str] | None | Unset = UNSET
    trackers: list[Finding] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.changes import Changes  # noqa: PLC0415
        from ..models.consent import Consent  # noqa: PLC0415
        from ..models.loss_estimate import LossEstimate  # noqa: PLC0415
        from ..models.page_info import PageInfo  # noqa: PLC0415
        from ..models.page_speed import PageSpeed  # noqa: PLC0415
        from ..models.passes import Passes  # noqa: PLC0415
        from ..models.scan_error import ScanError  # noqa: PLC0415
        from ..models.seo_section import SeoSection  # noqa: PLC0415
        from ..models.summary import Summary  # noqa: PLC0415

        created_at = self.created_at

        id = self.id

        options = self.options.to_dict()

        status = self.status

        url = self.url

        ai_summary: dict[str, Any] | None | Unset
        if isinstance(self.ai_summary, Unset):
            ai_summary = UNSET
        elif isinstance(self.ai_summary, Summary):
            ai_summary = self.ai_summary.to_dict()
        else:
            ai_summary = self.ai_summary

        changes: dict[str, Any] | None | Unset
        if isinstance(self.changes, Unset):
            changes = UNSET
        elif isinstance(self.changes, Changes):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        consent: dict[str, Any] | None | Unset
        if isinstance(self.consent, Unset):
            consent = UNSET
        elif isinstance(self.consent, Consent):
            consent = self.consent.to_dict()
        else:
            consent = self.consent

        duration_ms: int | None | Unset
        if isinstance(self.duration_ms, Unset):
            duration_ms = UNSET
        else:
            duration_ms = self.duration_ms

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ScanError):
            error = self.error.to_dict()
        else:
            error = self.error

        final_url: None | str | Unset
        if isinstance(self.final_url, Unset):
            final_url = UNSET
        else:
            final_url = self.final_url

        loss_estimate: dict[str, Any] | None | Unset
        if isinstance(self.loss_estimate, Unset):
            loss_estimate = UNSET
        elif isinstance(self.loss_estimate, LossEstimate):
            loss_estimate = self.loss_estimate.to_dict()
        else:
            loss_estimate = self.loss_estimate

        page: dict[str, Any] | None | Unset
        if isinstance(self.page, Unset):
            page = UNSET
        elif isinstance(self.page, PageInfo):
            page = self.page.to_dict()
        else:
            page = self.page

        pagespeed: dict[str, Any] | None | Unset
        if isinstance(self.pagespeed, Unset):
            pagespeed = UNSET
        elif isinstance(self.pagespeed, PageSpeed):
            pagespeed = self.pagespeed.to_dict()
        else:
            pagespeed = self.pagespeed

        passes: dict[str, Any] | None | Unset
        if isinstance(self.passes, Unset):
            passes = UNSET
        elif isinstance(self.passes, Passes):
            passes = self.passes.to_dict()
        else:
            passes = self.passes

        seo: dict[str, Any] | None | Unset
        if isinstance(self.seo, Unset):
            seo = UNSET
        elif isinstance(self.seo, SeoSection):
            seo = self.seo.to_dict()
        else:
            seo = self.seo

        signatures_version: None | str | Unset
        if isinstance(self.signatures_version, Unset):
            signatures_version = UNSET
        else:
            signatures_version = self.signatures_version

        tracker_ids: list[str] | None | Unset
        if isinstance(self.tracker_ids, Unset):
            tracker_ids = UNSET
        elif isinstance(self.tracker_ids, list):
            tracker_ids = self.tracker_ids

        else:
            tracker_ids = self.tracker_ids

        trackers: list[dict[str, Any]] | None | Unset
        if isinstance(self.trackers, Unset):
            trackers = UNSET
        elif isinstance(self.trackers, list):
            trackers = []
            for trackers_type_0_item_data in self.trackers:
                trackers_type_0_item = trackers_type_0_item_data.to_dict()
                trackers.append(trackers_type_0_item)

        else:
            trackers = self.trackers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "options": options,
                "status": status,
                "url": url,
            }
        )
        if ai_summary is not UNSET:
            field_dict["ai_summary"] = ai_summary
        if changes is not UNSET:
            field_dict["changes"] = changes
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if consent is not UNSET:
            field_dict["consent"] = consent
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if error is not UNSET:
            field_dict["error"] = error
        if final_url is not UNSET:
            field_dict["final_url"] = final_url
        if loss_estimate is not UNSET:
            field_dict["loss_estimate"] = loss_estimate
        if page is not UNSET:
            field_dict["page"] = page
        if pagespeed is not UNSET:
            field_dict["pagespeed"] = pagespeed
        if passes is not UNSET:
            field_dict["passes"] = passes
        if seo is not UNSET:
            field_dict["seo"] = seo
        if signatures_version is not UNSET:
            field_dict["signatures_version"] = signatures_version
        if tracker_ids is not UNSET:
            field_dict["tracker_ids"] = tracker_ids
        if trackers is not UNSET:
            field_dict["trackers"] = trackers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.changes import Changes  # noqa: PLC0415
        from ..models.consent import Consent  # noqa: PLC0415
        from ..models.finding import Finding  # noqa: PLC0415
        from ..models.loss_estimate import LossEstimate  # noqa: PLC0415
        from ..models.page_info import PageInfo  # noqa: PLC0415
        from ..models.page_speed import PageSpeed  # noqa: PLC0415
        from ..models.passes import Passes  # noqa: PLC0415
        from ..models.scan_error import ScanError  # noqa: PLC0415
        from ..models.scan_view_options import ScanViewOptions  # noqa: PLC0415
        from ..models.seo_section import SeoSection  # noqa: PLC0415
        from ..models.summary import Summary  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        options = ScanViewOptions.from_dict(d.pop("options"))

        status = d.pop("status")

        url = d.pop("url")

        def _parse_ai_summary(data: object) -> None | Summary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ai_summary_type_1 = Summary.from_dict(data)

                return ai_summary_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Summary | Unset, data)

        ai_summary = _parse_ai_summary(d.pop("ai_summary", UNSET))

        def _parse_changes(data: object) -> Changes | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_1 = Changes.from_dict(data)

                return changes_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Changes | None | Unset, data)

        changes = _parse_changes(d.pop("changes", UNSET))

        def _parse_completed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_consent(data: object) -> Consent | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                consent_type_1 = Consent.from_dict(data)

                return consent_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Consent | None | Unset, data)

        consent = _parse_consent(d.pop("consent", UNSET))

        def _parse_duration_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        duration_ms = _parse_duration_ms(d.pop("duration_ms", UNSET))

        def _parse_error(data: object) -> None | ScanError | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = ScanError.from_dict(data)

                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ScanError | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_final_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        final_url = _parse_final_url(d.pop("final_url", UNSET))

        def _parse_loss_estimate(data: object) -> LossEstimate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                loss_estimate_type_1 = LossEstimate.from_dict(data)

                return loss_estimate_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LossEstimate | None | Unset, data)

        loss_estimate = _parse_loss_estimate(d.pop("loss_estimate", UNSET))

        def _parse_page(data: object) -> None | PageInfo | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                page_type_1 = PageInfo.from_dict(data)

                return page_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PageInfo | Unset, data)

        page = _parse_page(d.pop("page", UNSET))

        def _parse_pagespeed(data: object) -> None | PageSpeed | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pagespeed_type_1 = PageSpeed.from_dict(data)

                return pagespeed_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PageSpeed | Unset, data)

        pagespeed = _parse_pagespeed(d.pop("pagespeed", UNSET))

        def _parse_passes(data: object) -> None | Passes | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                passes_type_1 = Passes.from_dict(data)

                return passes_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Passes | Unset, data)

        passes = _parse_passes(d.pop("passes", UNSET))

        def _parse_seo(data: object) -> None | SeoSection | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                seo_type_1 = SeoSection.from_dict(data)

                return seo_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SeoSection | Unset, data)

        seo = _parse_seo(d.pop("seo", UNSET))

        def _parse_signatures_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        signatures_version = _parse_signatures_version(d.pop("signatures_version", UNSET))

        def _parse_tracker_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tracker_ids_type_0 = cast(list[str], data)

                return tracker_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tracker_ids = _parse_tracker_ids(d.pop("tracker_ids", UNSET))

        def _parse_trackers(data: object) -> list[Finding] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                trackers_type_0 = []
                _trackers_type_0 = data
                for trackers_type_0_item_data in _trackers_type_0:
                    trackers_type_0_item = Finding.from_dict(trackers_type_0_item_data)

                    trackers_type_0.append(trackers_type_0_item)

                return trackers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Finding] | None | Unset, data)

        trackers = _parse_trackers(d.pop("trackers", UNSET))

        scan_view = cls(
            created_at=created_at,
            id=id,
            options=options,
            status=status,
            url=url,
            ai_summary=ai_summary,
            changes=changes,
            completed_at=completed_at,
            consent=consent,
            duration_ms=duration_ms,
            error=error,
            final_url=final_url,
            loss_estimate=loss_estimate,
            page=page,
            pagespeed=pagespeed,
            passes=passes,
            seo=seo,
            signatures_version=signatures_version,
            tracker_ids=tracker_ids,
            trackers=trackers,
        )

        scan_view.additional_properties = d
        return scan_view

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
