from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.goal_count import GoalCount
    from ..models.payment_view import PaymentView
    from ..models.subscription_view import SubscriptionView
    from ..models.visitor_profile_lifetime_revenue import VisitorProfileLifetimeRevenue
    from ..models.visitor_profile_traits import VisitorProfileTraits


T = TypeVar("T", bound="VisitorProfile")


@_attrs_define
class VisitorProfile:
    """What is known of one visitor of a site.

    Attributes:
        events (int):
        goals (list[GoalCount]):
        lifetime_revenue (VisitorProfileLifetimeRevenue): Net revenue (payments minus refunds, removed payments and free
            trials excluded) per currency.
        pageviews (int):
        payments (list[PaymentView]):
        subscriptions (list[SubscriptionView]): Subscriptions of a connected Stripe account attributed to this visitor.
        traits (VisitorProfileTraits): From identify calls.
        visits (int):
        first_seen (None | str | Unset):
        last_seen (None | str | Unset):
        user_id (None | str | Unset):
        visitor_id (None | str | Unset):
    """

    events: int
    goals: list[GoalCount]
    lifetime_revenue: VisitorProfileLifetimeRevenue
    pageviews: int
    payments: list[PaymentView]
    subscriptions: list[SubscriptionView]
    traits: VisitorProfileTraits
    visits: int
    first_seen: None | str | Unset = UNSET
    last_seen: None | str | Unset = UNSET
    user_id: None | str | Unset = UNSET
    visitor_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        events = self.events

        goals = []
        for goals_item_data in self.goals:
            goals_item = goals_item_data.to_dict()
            goals.append(goals_item)

        lifetime_revenue = self.lifetime_revenue.to_dict()

        pageviews = self.pageviews

        payments = []
        for payments_item_data in self.payments:
            payments_item = payments_item_data.to_dict()
            payments.append(payments_item)

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        traits = self.traits.to_dict()

        visits = self.visits

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
                "lifetime_revenue": lifetime_revenue,
                "pageviews": pageviews,
                "payments": payments,
                "subscriptions": subscriptions,
                "traits": traits,
                "visits": visits,
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
        from ..models.goal_count import GoalCount  # noqa: PLC0415
        from ..models.payment_view import PaymentView  # noqa: PLC0415
        from ..models.subscription_view import SubscriptionView  # noqa: PLC0415
        from ..models.visitor_profile_lifetime_revenue import VisitorProfileLifetimeRevenue  # noqa: PLC0415
        from ..models.visitor_profile_traits import VisitorProfileTraits  # noqa: PLC0415

        d = dict(src_dict)
        events = d.pop("events")

        goals = []
        _goals = d.pop("goals")
        for goals_item_data in _goals:
            goals_item = GoalCount.from_dict(goals_item_data)

            goals.append(goals_item)

        lifetime_revenue = VisitorProfileLifetimeRevenue.from_dict(d.pop("lifetime_revenue"))

        pageviews = d.pop("pageviews")

        payments = []
        _payments = d.pop("payments")
        for payments_item_data in _payments:
            payments_item = PaymentView.from_dict(payments_item_data)

            payments.append(payments_item)

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = SubscriptionView.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        traits = VisitorProfileTraits.from_dict(d.pop("traits"))

        visits = d.pop("visits")

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

        visitor_profile = cls(
            events=events,
            goals=goals,
            lifetime_revenue=lifetime_revenue,
            pageviews=pageviews,
            payments=payments,
            subscriptions=subscriptions,
            traits=traits,
            visits=visits,
            first_seen=first_seen,
            last_seen=last_seen,
            user_id=user_id,
            visitor_id=visitor_id,
        )

        visitor_profile.additional_properties = d
        return visitor_profile

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
