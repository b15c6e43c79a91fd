//! Subscription revenue: a customer's subscriptions as the source reports them, the MRR each one
//! makes, and the movement every change makes in the customer's MRR (SaaS metrics).
//!
//! The definitions are Stripe's billing analytics' and ChartMogul's:
//! - MRR comes from prices, not invoices, over `active` and `past_due` subscriptions: trials,
//!   taxes, free plans and metered usage count nothing; a yearly price counts a twelfth a month,
//!   a weekly one 52/12 of itself, a daily one 365/12.
//! - A `forever` coupon reduces MRR; a `once` coupon never does; a `repeating` one does while it
//!   lasts only when the integration says so (`limited_coupons: apply`).
//! - Movements are the customer's, per currency: `new` (first MRR ever), `expansion`,
//!   `contraction`, `churn` (to zero: `unpaid`, or the last subscription cancelled; a
//!   cancellation scheduled for the period's end counts when it ends, or when it is scheduled
//!   under `scheduled_cancellation: immediately`), `reactivation` (MRR again after churn).
//!
//! Pure: the caller reads Stripe, computes tiered prices' amounts and attributes the customer.

use crate::analytics::visitor_key;
use crate::{Aggregate, DomainError};
use chrono::{DateTime, Utc};
use keel_events::{DomainEvent, RevenueSettings, SiteId, SubscriptionChanged, WorkspaceId};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The statuses whose subscriptions make MRR.
pub const PAYING: [&str; 2] = ["active", "past_due"];
pub const SCHEDULED_CANCELLATION: [&str; 2] = ["at_period_end", "immediately"];
pub const LIMITED_COUPONS: [&str; 2] = ["ignore", "apply"];

/// One price of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The price's (or legacy plan's) id.
    pub price_id: String,
    /// What the item costs per billing interval, quantity included, before discounts and tax,
    /// in minor units (tiered prices already worked out for the quantity).
    pub amount: i64,
    pub quantity: i64,
    /// `day`, `week`, `month` or `year`.
    pub interval: String,
    pub interval_count: i64,
    /// Usage-based (`usage_type: metered`): no MRR.
    pub metered: bool,
}

/// A subscription's discount (its coupon).
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    pub percent_off: Option<f64>,
    /// Minor units off each invoice.
    pub amount_off: Option<i64>,
    /// `forever`, `once` or `repeating`.
    pub duration: String,
    /// When a repeating coupon stops (Unix seconds).
    pub ends_at: Option<i64>,
}

/// A subscription as the source reports it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub subscription_id: String,
    pub customer_id: String,
    pub status: String,
    /// ISO 4217, any case.
    pub currency: String,
    pub items: Vec<Item>,
    pub discount: Option<Discount>,
    pub cancel_at_period_end: bool,
    /// Unix seconds.
    pub start_date: i64,
    pub trial_end: Option<i64>,
    pub ended_at: Option<i64>,
    pub canceled_at: Option<i64>,
    /// The visitor it is attributed to (`metadata.keel_visitor_id`, or the customer's).
    pub visitor_id: Option<String>,
}

/// A subscription's reading, recorded if it changed anything.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSubscription {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub snapshot: Snapshot,
    pub settings: RevenueSettings,
    /// When the state was read, in milliseconds since the Unix epoch: a sync's reading, to the
    /// millisecond; a webhook's event, the start of the second Stripe stamped it with (`created`
    /// has no finer grain), so that a sync's reading in that same second wins.
    pub seen_at: i64,
}

/// The stream key of a customer of a site's source.
pub fn customer_key(customer_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"stripe-customer\0");
    h.update(customer_id.as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An item's amount a month, in minor units (not rounded).
fn monthly(i: &Item) -> f64 {
    let count = i.interval_count.max(1) as f64;
    let per_month = match i.interval.as_str() {
        "day" => 365.0 / 12.0,
        "week" => 52.0 / 12.0,
        "month" => 1.0,
        "year" => 1.0 / 12.0,
        _ => 0.0,
    };
    i.amount as f64 * per_month / count
}

/// What the subscription's prices would make a month, discounts applied, were it paying (0 for
/// metered and free items).
pub fn list_mrr(s: &Snapshot, settings: &RevenueSettings, now: i64) -> i64 {
    let licensed: Vec<&Item> = s.items.iter().filter(|i| !i.metered).collect();
    let gross: f64 = licensed.iter().map(|i| monthly(i)).sum();
    let applies = s.discount.as_ref().filter(|d| match d.duration.as_str() {
        "forever" => true,
        "repeating" => settings.limited_coupons == "apply" && d.ends_at.is_none_or(|end| end > now),
        _ => false,
    });
    let net = match applies {
        Some(d) => {
            if let Some(p) = d.percent_off {
                gross * (100.0 - p.clamp(0.0, 100.0)) / 100.0
            } else if let Some(off) = d.amount_off {
                // Off each invoice: a month's worth of it at the first item's interval.
                let per_month = licensed.first().map_or(0.0, |i| {
                    monthly(&Item {
                        amount: off,
                        ..(*i).clone()
                    })
                });
                (gross - per_month).max(0.0)
            } else {
                gross
            }
        }
        None => gross,
    };
    net.round() as i64
}

/// The subscription's MRR now: its prices' while it pays, else nothing.
pub fn mrr(s: &Snapshot, settings: &RevenueSettings, now: i64) -> i64 {
    let paying = PAYING.contains(&s.status.as_str())
        && !(s.cancel_at_period_end && settings.scheduled_cancellation == "immediately");
    if paying {
        list_mrr(s, settings, now)
    } else {
        0
    }
}

/// The prices and quantities in a line, e.g. `price_basic×2 20.00/month`.
pub fn plan_line(s: &Snapshot) -> String {
    s.items
        .iter()
        .map(|i| {
            let qty = if i.quantity == 1 {
                String::new()
            } else {
                format!("×{}", i.quantity)
            };
            let every = if i.interval_count == 1 {
                i.interval.clone()
            } else {
                format!("{} {}s", i.interval_count, i.interval)
            };
            let kind = if i.metered { " metered" } else { "" };
            format!(
                "{}{qty} {}.{:02}/{every}{kind}",
                i.price_id,
                i.amount / 100,
                (i.amount % 100).abs()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One subscription as its customer's stream knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub status: String,
    pub currency: String,
    pub plan: String,
    pub cancel_at_period_end: bool,
    pub mrr: i64,
    pub seen_at: i64,
}

/// A customer of a site's source: their subscriptions and whether they ever paid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Customer {
    pub subscriptions: BTreeMap<String, Known>,
    /// Had MRR once (a return is a reactivation, not new).
    pub ever_paid: bool,
}

impl Customer {
    fn mrr_in(&self, currency: &str) -> i64 {
        self.subscriptions
            .values()
            .filter(|k| k.currency == currency)
            .map(|k| k.mrr)
            .sum()
    }
}

/// A customer's subscriptions, one stream per customer of a site's source: movements are the
/// customer's, so their subscriptions are decided together.
pub struct CustomerAggregate;

struct Change<'a> {
    c: &'a RecordSubscription,
    status: String,
    mrr: i64,
    effective_at: i64,
}

fn changed(state: &Customer, ch: Change<'_>) -> (SubscriptionChanged, Customer) {
    let s = &ch.c.snapshot;
    let currency = s.currency.to_ascii_uppercase();
    let previous = state.subscriptions.get(&s.subscription_id);
    let previous_mrr = previous
        .filter(|k| k.currency == currency)
        .map_or(0, |k| k.mrr);
    let before = state.mrr_in(&currency);
    let after = before - previous_mrr + ch.mrr;
    let movement = match (before, after) {
        (b, a) if b == a => None,
        (0, _) if state.ever_paid => Some("reactivation"),
        (0, _) => Some("new"),
        (_, 0) => Some("churn"),
        (b, a) if a > b => Some("expansion"),
        _ => Some("contraction"),
    };
    let event = SubscriptionChanged {
        site_id: ch.c.site_id,
        workspace_id: ch.c.workspace_id,
        subscription_id: s.subscription_id.clone(),
        customer: customer_key(&s.customer_id),
        visitor: s
            .visitor_id
            .as_deref()
            .map(|v| visitor_key(ch.c.site_id, v)),
        status: ch.status,
        currency,
        plan: plan_line(s),
        cancel_at_period_end: s.cancel_at_period_end,
        mrr: ch.mrr,
        previous_mrr,
        movement: movement.map(str::to_string),
        amount: after - before,
        effective_at: DateTime::<Utc>::from_timestamp(ch.effective_at, 0).unwrap_or_default(),
        seen_at: ch.c.seen_at,
    };
    let next = CustomerAggregate::evolve(
        state.clone(),
        &DomainEvent::SubscriptionChanged(event.clone()),
    );
    (event, next)
}

impl Aggregate for CustomerAggregate {
    type State = Customer;
    type Command = RecordSubscription;

    fn decide(state: &Customer, c: &RecordSubscription) -> Result<Vec<DomainEvent>, DomainError> {
        let s = &c.snapshot;
        let mut v = crate::Validator::new();
        v.name("subscription_id", &s.subscription_id, 255);
        v.name("customer_id", &s.customer_id, 255);
        v.check(
            s.currency.len() == 3 && s.currency.chars().all(|c| c.is_ascii_alphabetic()),
            "currency",
            "must be an ISO 4217 code",
        );
        v.check(
            SCHEDULED_CANCELLATION.contains(&c.settings.scheduled_cancellation.as_str())
                && LIMITED_COUPONS.contains(&c.settings.limited_coupons.as_str()),
            "settings",
            "must be known settings",
        );
        v.finish()?;
        let known = state.subscriptions.get(&s.subscription_id);
        // An older reading never undoes a newer one.
        if known.is_some_and(|k| k.seen_at > c.seen_at) {
            return Ok(vec![]);
        }
        let now = c.seen_at.div_euclid(1000);
        let mrr_now = mrr(s, &c.settings, now);
        let plan = plan_line(s);
        let currency = s.currency.to_ascii_uppercase();
        if let Some(k) = known {
            let same = k.status == s.status
                && k.mrr == mrr_now
                && k.plan == plan
                && k.cancel_at_period_end == s.cancel_at_period_end
                && k.currency == currency;
            if same {
                return Ok(vec![]);
            }
            let effective_at = match s.status.as_str() {
                "canceled" => s.ended_at.or(s.canceled_at).unwrap_or(now),
                _ => now,
            }
            .min(now);
            let (e, _) = changed(
                state,
                Change {
                    c,
                    status: s.status.clone(),
                    mrr: mrr_now,
                    effective_at,
                },
            );
            return Ok(vec![DomainEvent::SubscriptionChanged(e)]);
        }
        // First seen. Paying since it started (or its trial ended); or, if it no longer pays,
        // paying from then until it ended, when it did pay in between.
        let paid_from = match s.trial_end {
            Some(t) if t > s.start_date => t,
            _ => s.start_date,
        };
        let ended = match s.status.as_str() {
            "canceled" => Some(s.ended_at.or(s.canceled_at).unwrap_or(now)),
            "unpaid" => Some(now),
            _ => None,
        };
        let mut events = Vec::new();
        let mut state = state.clone();
        if let Some(end) = ended {
            let would = list_mrr(s, &c.settings, paid_from);
            if end >= paid_from && paid_from <= now && would > 0 {
                let (e, next) = changed(
                    &state,
                    Change {
                        c,
                        status: "active".into(),
                        mrr: would,
                        effective_at: paid_from,
                    },
                );
                events.push(DomainEvent::SubscriptionChanged(e));
                state = next;
            }
            let (e, _) = changed(
                &state,
                Change {
                    c,
                    status: s.status.clone(),
                    mrr: 0,
                    effective_at: end.min(now),
                },
            );
            events.push(DomainEvent::SubscriptionChanged(e));
        } else {
            let effective_at = if mrr_now > 0 { paid_from.min(now) } else { now };
            let (e, _) = changed(
                &state,
                Change {
                    c,
                    status: s.status.clone(),
                    mrr: mrr_now,
                    effective_at,
                },
            );
            events.push(DomainEvent::SubscriptionChanged(e));
        }
        Ok(events)
    }

    fn evolve(mut state: Customer, event: &DomainEvent) -> Customer {
        if let DomainEvent::SubscriptionChanged(e) = event {
            state.ever_paid |= e.mrr > 0;
            state.subscriptions.insert(
                e.subscription_id.clone(),
                Known {
                    status: e.status.clone(),
                    currency: e.currency.clone(),
                    plan: e.plan.clone(),
                    cancel_at_period_end: e.cancel_at_period_end,
                    mrr: e.mrr,
                    seen_at: e.seen_at,
                },
            );
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use uuid::Uuid;

    type Test = TestFramework<CustomerAggregate>;

    const T0: i64 = 1_790_000_000;
    const DAY: i64 = 86_400;

    fn item(price: &str, amount: i64, interval: &str) -> Item {
        Item {
            price_id: price.into(),
            amount,
            quantity: 1,
            interval: interval.into(),
            interval_count: 1,
            metered: false,
        }
    }

    fn sub(id: &str, status: &str, items: Vec<Item>) -> Snapshot {
        Snapshot {
            subscription_id: id.into(),
            customer_id: "cus_1".into(),
            status: status.into(),
            currency: "eur".into(),
            items,
            discount: None,
            cancel_at_period_end: false,
            start_date: T0,
            trial_end: None,
            ended_at: None,
            canceled_at: None,
            visitor_id: None,
        }
    }

    fn record(s: Snapshot, seen_at: i64) -> RecordSubscription {
        RecordSubscription {
            site_id: SiteId(Uuid::from_u128(1)),
            workspace_id: WorkspaceId(Uuid::from_u128(2)),
            snapshot: s,
            settings: RevenueSettings::default(),
            seen_at: seen_at * 1000,
        }
    }

    fn changes(events: &[DomainEvent]) -> Vec<(Option<&str>, i64, i64)> {
        events
            .iter()
            .map(|e| match e {
                DomainEvent::SubscriptionChanged(c) => {
                    (c.movement.as_deref(), c.amount, c.effective_at.timestamp())
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn mrr_comes_from_prices_normalised_to_a_month() {
        let settings = RevenueSettings::default();
        let mut s = sub(
            "sub_1",
            "active",
            vec![
                item("monthly", 1000, "month"),
                item("yearly", 12000, "year"),
                Item {
                    interval_count: 3,
                    ..item("quarterly", 3000, "month")
                },
                Item {
                    metered: true,
                    ..item("usage", 999, "month")
                },
                item("free", 0, "month"),
            ],
        );
        assert_eq!(mrr(&s, &settings, T0), 1000 + 1000 + 1000);
        assert_eq!(
            mrr(
                &sub("w", "active", vec![item("w", 100, "week")]),
                &settings,
                T0
            ),
            433
        );
        for status in ["trialing", "canceled", "unpaid", "incomplete"] {
            s.status = status.into();
            assert_eq!(mrr(&s, &settings, T0), 0, "{status}");
        }
        s.status = "past_due".into();
        assert_eq!(mrr(&s, &settings, T0), 3000);
    }

    #[test]
    fn forever_coupons_reduce_mrr_and_limited_ones_as_the_setting_says() {
        let mut s = sub("sub_1", "active", vec![item("p", 12000, "year")]);
        s.discount = Some(Discount {
            percent_off: Some(25.0),
            amount_off: None,
            duration: "forever".into(),
            ends_at: None,
        });
        let ignore = RevenueSettings::default();
        assert_eq!(mrr(&s, &ignore, T0), 750);
        s.discount = Some(Discount {
            percent_off: None,
            amount_off: Some(1200),
            duration: "repeating".into(),
            ends_at: Some(T0 + 90 * DAY),
        });
        assert_eq!(mrr(&s, &ignore, T0), 1000);
        let apply = RevenueSettings {
            limited_coupons: "apply".into(),
            ..RevenueSettings::default()
        };
        assert_eq!(mrr(&s, &apply, T0), 900);
        assert_eq!(mrr(&s, &apply, T0 + 91 * DAY), 1000, "the coupon ended");
        s.discount.as_mut().unwrap().duration = "once".into();
        assert_eq!(mrr(&s, &apply, T0), 1000);
    }

    #[test]
    fn a_customer_moves_new_expansion_contraction_churn_and_reactivation() {
        let basic = || sub("sub_1", "active", vec![item("basic", 1000, "month")]);
        let new = Test::given(vec![]).when(record(basic(), T0)).events();
        assert_eq!(changes(&new), [(Some("new"), 1000, T0)]);
        let mut pro = basic();
        pro.items = vec![item("pro", 3000, "month")];
        let up = Test::given(new.clone())
            .when(record(pro.clone(), T0 + DAY))
            .events();
        assert_eq!(changes(&up), [(Some("expansion"), 2000, T0 + DAY)]);
        // A second subscription of the same customer is expansion too, not new.
        let second = Test::given([new.clone(), up.clone()].concat())
            .when(record(
                sub("sub_2", "active", vec![item("seat", 500, "month")]),
                T0 + 2 * DAY,
            ))
            .events();
        assert_eq!(changes(&second)[0].0, Some("expansion"));
        let down = Test::given([new.clone(), up.clone()].concat())
            .when(record(basic(), T0 + 3 * DAY))
            .events();
        assert_eq!(changes(&down), [(Some("contraction"), -2000, T0 + 3 * DAY)]);
        let mut gone = basic();
        gone.status = "canceled".into();
        gone.ended_at = Some(T0 + 4 * DAY);
        let churn = Test::given([new.clone(), down.clone()].concat())
            .when(record(gone, T0 + 5 * DAY))
            .events();
        assert_eq!(changes(&churn), [(Some("churn"), -1000, T0 + 4 * DAY)]);
        let back = Test::given([new, down, churn].concat())
            .when(record(
                sub("sub_3", "active", vec![item("basic", 1000, "month")]),
                T0 + 9 * DAY,
            ))
            .events();
        assert_eq!(changes(&back)[0].0, Some("reactivation"));
    }

    #[test]
    fn the_same_reading_twice_or_an_older_one_records_nothing() {
        let s = sub("sub_1", "active", vec![item("basic", 1000, "month")]);
        let first = Test::given(vec![])
            .when(record(s.clone(), T0 + 10))
            .events();
        Test::given(first.clone())
            .when(record(s.clone(), T0 + 20))
            .then(vec![]);
        let mut canceled = s.clone();
        canceled.status = "canceled".into();
        let churn = Test::given(first.clone())
            .when(record(canceled, T0 + 30))
            .events();
        // The webhook of the earlier state arrives late: it undoes nothing.
        Test::given([first, churn].concat())
            .when(record(s, T0 + 25))
            .then(vec![]);
    }

    #[test]
    fn a_subscription_first_seen_ended_is_backfilled_as_paying_until_it_ended() {
        let mut s = sub("sub_1", "canceled", vec![item("basic", 1000, "month")]);
        s.ended_at = Some(T0 + 40 * DAY);
        let events = Test::given(vec![])
            .when(record(s.clone(), T0 + 50 * DAY))
            .events();
        assert_eq!(
            changes(&events),
            [
                (Some("new"), 1000, T0),
                (Some("churn"), -1000, T0 + 40 * DAY)
            ]
        );
        // Cancelled within its trial: it never paid.
        s.trial_end = Some(T0 + 50 * DAY);
        let events = Test::given(vec![]).when(record(s, T0 + 60 * DAY)).events();
        assert_eq!(changes(&events), [(None, 0, T0 + 40 * DAY)]);
        // Paying today after a trial: new when the trial ended.
        let mut t = sub("sub_2", "active", vec![item("basic", 1000, "month")]);
        t.trial_end = Some(T0 + 14 * DAY);
        let events = Test::given(vec![]).when(record(t, T0 + 20 * DAY)).events();
        assert_eq!(changes(&events), [(Some("new"), 1000, T0 + 14 * DAY)]);
    }

    #[test]
    fn a_scheduled_cancellation_churns_when_the_setting_says() {
        let s = sub("sub_1", "active", vec![item("basic", 1000, "month")]);
        let first = Test::given(vec![]).when(record(s.clone(), T0)).events();
        let mut scheduled = s;
        scheduled.cancel_at_period_end = true;
        let later = Test::given(first.clone())
            .when(record(scheduled.clone(), T0 + DAY))
            .events();
        assert_eq!(
            changes(&later),
            [(None, 0, T0 + DAY)],
            "recorded, no movement yet"
        );
        let mut now = record(scheduled, T0 + DAY);
        now.settings.scheduled_cancellation = "immediately".into();
        let churn = Test::given(first).when(now).events();
        assert_eq!(changes(&churn), [(Some("churn"), -1000, T0 + DAY)]);
    }

    #[test]
    fn a_reading_without_its_ids_or_with_unknown_settings_is_refused() {
        let mut s = sub("", "active", vec![]);
        s.currency = "euro".into();
        let mut c = record(s, T0);
        c.settings.limited_coupons = "sometimes".into();
        let e = Test::given(vec![]).when(c).error();
        let DomainError::Validation(f) = e else {
            panic!("{e:?}")
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["subscription_id", "currency", "settings"]);
    }
}
