from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.alert_body_condition_type_0 import AlertBodyConditionType0
    from ..models.channel_body_type_0 import ChannelBodyType0
    from ..models.channel_body_type_1 import ChannelBodyType1
    from ..models.channel_body_type_2 import ChannelBodyType2


T = TypeVar("T", bound="AlertBody")


@_attrs_define
class AlertBody:
    """
    Attributes:
        channels (list[ChannelBodyType0 | ChannelBodyType1 | ChannelBodyType2] | None | Unset): From 1 to 10 channels:
            `{"type": "email", "roles"?}`, `{"type": "webhook", "webhook_id"}`,
            `{"type": "slack", "url"}`.
        condition (AlertBodyConditionType0 | None | Unset): `{"type": "traffic", "site_id", "metric":
            "visitors"|"pageviews", "op": "above"|"below"|"drops_by", "threshold"}`,
            `{"type": "usage", "feature", "percent"}`, `{"type": "dns_change", "domain_id", "fields"?}`,
            `{"type": "webhook_disabled", "webhook_id"?}` or `{"type": "key_unused", "key_id"?, "days"}`.
        enabled (bool | None | Unset): Default true.
        name (None | str | Unset):
        window_minutes (int | None | Unset): The window measured, in minutes (5 to 10080; default 60). An alert speaks
            at most once
            per window.
    """

    channels: list[ChannelBodyType0 | ChannelBodyType1 | ChannelBodyType2] | None | Unset = UNSET
    condition: AlertBodyConditionType0 | None | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    name: None | str | Unset = UNSET
    window_minutes: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.alert_body_condition_type_0 import AlertBodyConditionType0  # noqa: PLC0415
        from ..models.channel_body_type_0 import ChannelBodyType0  # noqa: PLC0415
        from ..models.channel_body_type_1 import ChannelBodyType1  # noqa: PLC0415

        channels: list[dict[str, Any]] | None | Unset
        if isinstance(self.channels, Unset):
            channels = UNSET
        elif isinstance(self.channels, list):
            channels = []
            for channels_type_0_item_data in self.channels:
                channels_type_0_item: dict[str, Any]
                if isinstance(channels_type_0_item_data, ChannelBodyType0):
                    channels_type_0_item = channels_type_0_item_data.to_dict()
                elif isinstance(channels_type_0_item_data, ChannelBodyType1):
                    channels_type_0_item = channels_type_0_item_data.to_dict()
                else:
                    channels_type_0_item = channels_type_0_item_data.to_dict()

                channels.append(channels_type_0_item)

        else:
            channels = self.channels

        condition: dict[str, Any] | None | Unset
        if isinstance(self.condition, Unset):
            condition = UNSET
        elif isinstance(self.condition, AlertBodyConditionType0):
            condition = self.condition.to_dict()
        else:
            condition = self.condition

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        window_minutes: int | None | Unset
        if isinstance(self.window_minutes, Unset):
            window_minutes = UNSET
        else:
            window_minutes = self.window_minutes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if channels is not UNSET:
            field_dict["channels"] = channels
        if condition is not UNSET:
            field_dict["condition"] = condition
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if name is not UNSET:
            field_dict["name"] = name
        if window_minutes is not UNSET:
            field_dict["window_minutes"] = window_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_body_condition_type_0 import AlertBodyConditionType0  # noqa: PLC0415
        from ..models.channel_body_type_0 import ChannelBodyType0  # noqa: PLC0415
        from ..models.channel_body_type_1 import ChannelBodyType1  # noqa: PLC0415
        from ..models.channel_body_type_2 import ChannelBodyType2  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_channels(
            data: object,
        ) -> list[ChannelBodyType0 | ChannelBodyType1 | ChannelBodyType2] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                channels_type_0 = []
                _channels_type_0 = data
                for channels_type_0_item_data in _channels_type_0:

                    def _parse_channels_type_0_item(
                        data: object,
                    ) -> ChannelBodyType0 | ChannelBodyType1 | ChannelBodyType2:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_channel_body_type_0 = ChannelBodyType0.from_dict(data)

                            return componentsschemas_channel_body_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_channel_body_type_1 = ChannelBodyType1.from_dict(data)

                            return componentsschemas_channel_body_type_1
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_channel_body_type_2 = ChannelBodyType2.from_dict(data)

                        return componentsschemas_channel_body_type_2

                    channels_type_0_item = _parse_channels_type_0_item(channels_type_0_item_data)

                    channels_type_0.append(channels_type_0_item)

                return channels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ChannelBodyType0 | ChannelBodyType1 | ChannelBodyType2] | None | Unset, data)

        channels = _parse_channels(d.pop("channels", UNSET))

        def _parse_condition(data: object) -> AlertBodyConditionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                condition_type_0 = AlertBodyConditionType0.from_dict(data)

                return condition_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AlertBodyConditionType0 | None | Unset, data)

        condition = _parse_condition(d.pop("condition", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_window_minutes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        window_minutes = _parse_window_minutes(d.pop("window_minutes", UNSET))

        alert_body = cls(
            channels=channels,
            condition=condition,
            enabled=enabled,
            name=name,
            window_minutes=window_minutes,
        )

        return alert_body
