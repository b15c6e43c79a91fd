//! Rate limits (per key, fixed one-minute windows) and daily quotas (per workspace).
//!
//! Every key may send `L + B` requests in each window (`L` per minute for its tier, `B` its burst),
//! as every seed describes its limits: "60 requests per minute", remaining and a reset time. A
//! window is a wall-clock minute (UTC, `[hh:mm:00, hh:mm+1:00)`), the same for every replica; the
//! state is one pair per key, (window, count). A free key may spend its 60 requests at once and
//! then waits for the next minute. Worst case, a key sending at both ends of a window boundary gets
//! `2 × (L + B)` accepted within a few seconds — the known price of fixed windows, paid for headers
//! that mean what clients expect (ADR 0018). The same arithmetic runs in process (a `DashMap`) and
//! in Redis (one Lua script on Redis's clock, so several api replicas share one limit).

use chrono::{DateTime, NaiveTime, Utc};
use dashmap::DashMap;
use keel_events::Tier;
use keel_projections::Db;
use std::time::Duration;

/// One window, in µs.
pub const WINDOW_US: i64 = 60_000_000;

/// The rate allowed to one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub per_minute: u64,
    pub burst: u64,
}

impl Policy {
    pub fn for_tier(tier: Tier) -> Policy {
        Policy {
            per_minute: tier.requests_per_minute(),
            burst: tier.burst(),
        }
    }

    /// Requests accepted in one window.
    pub fn allowance(&self) -> u64 {
        self.per_minute + self.burst
    }
}

/// What the rate-limit headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    /// Requests per minute.
    pub limit: u64,
    pub burst: u64,
    /// Requests this window still accepts.
    pub remaining: u64,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset_at: i64,
    /// Seconds until then (at least 1).
    pub reset_secs: u64,
    /// For a refused request: seconds until one would be accepted.
    pub retry_after_secs: Option<u64>,
}

/// What the quota headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    pub limit: u64,
    pub used: u64,
    /// When the UTC day ends, in seconds since the Unix epoch.
    pub reset_at: i64,
    /// Seconds until then.
    pub reset_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub rate: RateState,
    pub quota: Option<QuotaState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed(Limits),
    RateLimited(Limits),
    QuotaExceeded(Limits),
}

fn ceil_secs(us: i64) -> u64 {
    (us.max(0) as u64).div_ceil(1_000_000)
}

/// The window `now` (µs since the epoch) falls in: its start, in µs.
pub fn window_of(now_us: i64) -> i64 {
    now_us.div_euclid(WINDOW_US) * WINDOW_US
}

/// The pure step. `stored` is the bucket's (window start, count); a count from an earlier window
/// is spent. `Ok` is the state after accepting a request at `now`, `Err` the state that refuses it.
pub fn admit(
    stored: Option<(i64, u64)>,
    now_us: i64,
    p: &Policy,
) -> Result<(i64, u64), (i64, u64)> {
    let window = window_of(now_us);
    let count = match stored {
        Some((w, c)) if w == window => c,
        _ => 0,
    };
    if count >= p.allowance() {
        Err((window, count))
    } else {
        Ok((window, count + 1))
    }
}

/// The header values after a decision, from the window's state.
pub fn rate_state(p: &Policy, window: i64, count: u64, now_us: i64, accepted: bool) -> RateState {
    let end = window + WINDOW_US;
    let reset_secs = ceil_secs(end - now_us).max(1);
    RateState {
        limit: p.per_minute,
        burst: p.burst,
        remaining: p.allowance().saturating_sub(count),
        reset_at: end.div_euclid(1_000_000),
        reset_secs,
        retry_after_secs: (!accepted).then_some(reset_secs),
    }
}

pub fn utc_day(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d").to_string()
}

/// The next UTC midnight after `now`.
fn next_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    (now.date_naive() + chrono::Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_utc()
}

fn secs_to_midnight(now: DateTime<Utc>) -> u64 {
    (next_midnight(now) - now).num_seconds().max(1) as u64
}

/// The day a quota counts: its name and when it ends.
#[derive(Debug, Clone)]
pub struct QuotaDay {
    pub day: String,
    pub reset_at: i64,
    pub reset_secs: u64,
}

impl QuotaDay {
    pub fn of(now: DateTime<Utc>) -> QuotaDay {
        QuotaDay {
            day: utc_day(now),
            reset_at: next_midnight(now).timestamp(),
            reset_secs: secs_to_midnight(now),
        }
    }

    fn state(&self, limit: u64, used: u64) -> QuotaState {
        QuotaState {
            limit,
            used,
            reset_at: self.reset_at,
            reset_secs: self.reset_secs,
        }
    }
}

/// A request to the limiter: the bucket and policy, and the workspace quota if one applies.
#[derive(Debug, Clone)]
pub struct Check {
    pub bucket: String,
    pub policy: Policy,
    /// (workspace id, calls per day)
    pub quota: Option<(String, u64)>,
}

#[derive(Default)]
struct QuotaCount {
    used: u64,
    /// Calls counted here and not yet written to the database.
    pending: u64,
}

/// The in-process limiter: exact within one process. Quota counts start from, and are flushed in
/// batches to, `api_quota_usage`.
#[derive(Default)]
pub struct LocalLimiter {
    windows: DashMap<String, (i64, u64)>,
    quotas: DashMap<(String, String), QuotaCount>,
}

impl LocalLimiter {
    /// Seeds a workspace's count for the day from the database the first time it is seen.
    async fn load_quota(&self, db: &Db, ws: &str, day: &str) -> Result<(), sqlx::Error> {
        let key = (ws.to_string(), day.to_string());
        if self.quotas.contains_key(&key) {
            return Ok(());
        }
        let used = keel_infra::edge::quota_used(db, ws, day).await?;
        self.quotas.entry(key).or_insert(QuotaCount {
            used: used.max(0) as u64,
            pending: 0,
        });
        Ok(())
    }

    /// Decides one request at `now` (µs since the epoch); the quota must be loaded.
    pub fn decide(&self, check: &Check, now_us: i64, day: &QuotaDay) -> Decision {
        let p = &check.policy;
        // The bucket's entry stays locked until the decision is made, so concurrent requests
        // of one key are decided one after another; the quota map is always locked second.
        let mut slot = self
            .windows
            .entry(check.bucket.clone())
            .or_insert((i64::MIN, 0));
        let stored = (slot.0 != i64::MIN).then_some(*slot);
        let (window, count) = match admit(stored, now_us, p) {
            Ok(next) => next,
            Err((window, count)) => {
                let quota = check.quota.as_ref().map(|(ws, limit)| {
                    let used = self
                        .quotas
                        .get(&(ws.clone(), day.day.clone()))
                        .map_or(0, |q| q.used);
                    day.state(*limit, used)
                });
                return Decision::RateLimited(Limits {
                    rate: rate_state(p, window, count, now_us, false),
                    quota,
                });
            }
        };
        let quota = match &check.quota {
            None => None,
            Some((ws, limit)) => {
                let mut q = self
                    .quotas
                    .entry((ws.clone(), day.day.clone()))
                    .or_default();
                if q.used >= *limit {
                    return Decision::QuotaExceeded(Limits {
                        rate: rate_state(p, window, count - 1, now_us, true),
                        quota: Some(day.state(*limit, q.used)),
                    });
                }
                q.used += 1;
                q.pending += 1;
                Some(day.state(*limit, q.used))
            }
        };
        *slot = (window, count);
        Decision::Allowed(Limits {
            rate: rate_state(p, window, count, now_us, true),
            quota,
        })
    }

    /// Writes pending quota counts and forgets what no longer matters: windows that have ended
    /// and counts of past days.
    pub async fn flush(&self, db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let current = window_of(now.timestamp_micros());
        self.windows.retain(|_, (w, _)| *w >= current);
        let today = utc_day(now);
        let mut batch = Vec::new();
        for mut e in self.quotas.iter_mut() {
            if e.pending > 0 {
                batch.push((e.key().clone(), e.pending));
                e.pending = 0;
            }
        }
        for ((ws, day), n) in &batch {
            let r = keel_infra::edge::add_quota_used(db, ws, day, *n as i64).await;
            if let Err(e) = r {
                // Keep the count for the next flush.
                if let Some(mut q) = self.quotas.get_mut(&(ws.clone(), day.clone())) {
                    q.pending += n;
                }
                return Err(e);
            }
        }
        self.quotas
            .retain(|(_, day), q| day.as_str() >= today.as_str() || q.pending > 0);
        Ok(())
    }
}

/// The window count and the daily quota in one atomic step. KEYS: the bucket (a hash of window
/// start and count), the quota counter (or an unused name). ARGV: now in µs (0: the Redis
/// server's clock, shared by every replica), window length in µs, requests per window, quota
/// limit (-1: none), quota key lifetime in seconds.
/// Returns {verdict (1 accepted, 0 rate limited, 2 over quota), window start, count, now, used}.
const WINDOW_LUA: &str = r"
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local length = tonumber(ARGV[2])
local allowance = tonumber(ARGV[3])
local quota = tonumber(ARGV[4])
local window = math.floor(now / length) * length
local state = redis.call('HMGET', KEYS[1], 'w', 'c')
local count = 0
if state[1] and tonumber(state[1]) == window then count = tonumber(state[2]) end
local used = 0
if quota >= 0 then used = tonumber(redis.call('GET', KEYS[2]) or '0') end
if count >= allowance then
  return {0, window, count, now, used}
end
if quota >= 0 and used >= quota then
  return {2, window, count, now, used}
end
count = count + 1
-- %.0f: Lua would print a 16-digit number in exponent form and lose microseconds.
redis.call('HSET', KEYS[1], 'w', string.format('%.0f', window), 'c', count)
redis.call('PEXPIRE', KEYS[1], math.floor((window + length - now) / 1000) + 1000)
if quota >= 0 then
  used = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
end
return {1, window, count, now, used}
";

/// The shared limiter: every replica runs the same script against one Redis.
pub struct RedisLimiter {
    conn: redis::aio::ConnectionManager,
    script: redis::Script,
}

impl RedisLimiter {
    pub async fn connect(url: &str) -> redis::RedisResult<RedisLimiter> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(2);
        let conn = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        Ok(RedisLimiter {
            conn,
            script: redis::Script::new(WINDOW_LUA),
        })
    }

    /// Decides one request. `now_us = None` uses the Redis server's clock.
    pub async fn decide(
        &self,
        check: &Check,
        now_us: Option<i64>,
        day: &QuotaDay,
    ) -> redis::RedisResult<Decision> {
        let p = &check.policy;
        let quota_key = match &check.quota {
            Some((ws, _)) => format!("keel:quota:{ws}:{}", day.day),
            None => "keel:quota:none".into(),
        };
        let mut conn = self.conn.clone();
        let (verdict, window, count, now, used): (i64, i64, i64, i64, i64) = self
            .script
            .key(format!("keel:rw:{}", check.bucket))
            .key(quota_key)
            .arg(now_us.unwrap_or(0))
            .arg(WINDOW_US)
            .arg(p.allowance())
            .arg(check.quota.as_ref().map_or(-1, |(_, l)| *l as i64))
            .arg(2 * 86_400)
            .invoke_async(&mut conn)
            .await?;
        let count = count.max(0) as u64;
        let quota = check
            .quota
            .as_ref()
            .map(|(_, limit)| day.state(*limit, used.max(0) as u64));
        Ok(match verdict {
            1 => Decision::Allowed(Limits {
                rate: rate_state(p, window, count, now, true),
                quota,
            }),
            2 => Decision::QuotaExceeded(Limits {
                rate: rate_state(p, window, count, now, true),
                quota,
            }),
            _ => Decision::RateLimited(Limits {
                rate: rate_state(p, window, count, now, false),
                quota,
            }),
        })
    }
}

/// The limiter the api uses: Redis when configured (falling back to the in-process one, loudly,
/// while Redis is unreachable), else in-process.
pub struct Limiter {
    pub local: LocalLimiter,
    pub redis: Option<RedisLimiter>,
}

impl Limiter {
    pub async fn new(redis_url: Option<&str>) -> anyhow::Result<Limiter> {
        let redis = match redis_url {
            Some(url) => Some(RedisLimiter::connect(url).await.map_err(|e| {
                anyhow::anyhow!("KEEL_REDIS_URL is set but Redis is unreachable: {e}")
            })?),
            None => None,
        };
        Ok(Limiter {
            local: LocalLimiter::default(),
            redis,
        })
    }

    pub async fn decide(
        &self,
        db: &Db,
        check: &Check,
        now: DateTime<Utc>,
    ) -> Result<Decision, sqlx::Error> {
        let day = QuotaDay::of(now);
        if let Some(redis) = &self.redis {
            match redis.decide(check, None, &day).await {
                Ok(d) => return Ok(d),
                Err(e) => {
                    keel_infra::metrics::LIMITER_FALLBACKS.inc();
                    tracing::error!(error = %e, "Redis limiter failed; limiting in process");
                }
            }
        }
        if let Some((ws, _)) = &check.quota {
            self.local.load_quota(db, ws, &day.day).await?;
        }
        Ok(self.local.decide(check, now.timestamp_micros(), &day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minute that starts a window, in µs.
    const MINUTE: i64 = 1_800_000_000 / 60 * 60 * 1_000_000;

    fn day() -> QuotaDay {
        QuotaDay {
            day: "2026-01-01".into(),
            reset_at: 0,
            reset_secs: 10,
        }
    }

    fn check(tier: Tier) -> Check {
        Check {
            bucket: "k".into(),
            policy: Policy::for_tier(tier),
            quota: None,
        }
    }

    /// Sends `times` the allowance evenly from `start` for `span` µs; returns what was accepted.
    fn accepted(tier: Tier, times: i64, start: i64, span: i64) -> u64 {
        let limiter = LocalLimiter::default();
        let check = check(tier);
        let sends = times * check.policy.allowance() as i64;
        let gap = span / sends;
        (0..sends)
            .filter(|i| {
                matches!(
                    limiter.decide(&check, start + i * gap, &day()),
                    Decision::Allowed(_)
                )
            })
            .count() as u64
    }

    #[test]
    fn in_one_window_a_key_gets_exactly_limit_plus_burst() {
        for tier in Tier::ALL {
            let p = Policy::for_tier(tier);
            assert_eq!(
                accepted(tier, 2, MINUTE, WINDOW_US),
                p.per_minute + p.burst,
                "{tier:?}"
            );
        }
    }

    #[test]
    fn across_a_boundary_the_worst_case_is_twice_the_allowance() {
        for tier in Tier::ALL {
            let p = Policy::for_tier(tier);
            // Ten seconds either side of a boundary: both windows' allowance, never more.
            let accepted = accepted(tier, 4, MINUTE + 50_000_000, 20_000_000);
            assert_eq!(accepted, 2 * p.allowance(), "{tier:?}");
        }
    }

    #[test]
    fn a_free_key_spends_its_minute_at_once_then_waits_for_the_next() {
        let limiter = LocalLimiter::default();
        let check = check(Tier::Free);
        let now = MINUTE + 15_000_000; // 45 s before the window resets
        for n in 1..=60u64 {
            let d = limiter.decide(&check, now, &day());
            let Decision::Allowed(l) = d else {
                panic!("request {n}: {d:?}")
            };
            assert_eq!(l.rate.remaining, 60 - n);
            assert_eq!(l.rate.reset_at, (MINUTE + WINDOW_US) / 1_000_000);
            assert_eq!(l.rate.reset_secs, 45);
        }
        let d = limiter.decide(&check, now + 500_000, &day());
        let Decision::RateLimited(l) = d else {
            panic!("{d:?}")
        };
        assert_eq!(
            (l.rate.remaining, l.rate.retry_after_secs, l.rate.reset_secs),
            (0, Some(45), 45)
        );
        // The last µs of the window still refuses; the next window accepts.
        assert!(matches!(
            limiter.decide(&check, MINUTE + WINDOW_US - 1, &day()),
            Decision::RateLimited(l) if l.rate.retry_after_secs == Some(1)
        ));
        let d = limiter.decide(&check, MINUTE + WINDOW_US, &day());
        assert!(
            matches!(d, Decision::Allowed(l) if l.rate.remaining == 59),
            "{d:?}"
        );
    }

    #[test]
    fn burst_is_extra_allowance_in_the_window() {
        let limiter = LocalLimiter::default();
        let check = check(Tier::Starter); // 1,000 per minute, burst 200
        for _ in 0..1_200 {
            assert!(matches!(
                limiter.decide(&check, MINUTE, &day()),
                Decision::Allowed(_)
            ));
        }
        assert!(matches!(
            limiter.decide(&check, MINUTE, &day()),
            Decision::RateLimited(_)
        ));
    }

    #[test]
    fn the_quota_refuses_past_the_limit_without_spending_the_rate() {
        let limiter = LocalLimiter::default();
        let check = Check {
            quota: Some(("ws".into(), 3)),
            ..check(Tier::Free)
        };
        for used in 1..=3 {
            let d = limiter.decide(&check, MINUTE, &day());
            let Decision::Allowed(l) = d else {
                panic!("{d:?}")
            };
            assert_eq!(l.quota.map(|q| q.used), Some(used));
        }
        let d = limiter.decide(&check, MINUTE, &day());
        assert!(
            matches!(d, Decision::QuotaExceeded(l) if l.quota.map(|q| q.used) == Some(3) && l.rate.remaining == 57),
            "{d:?}"
        );
        // A new day starts from zero.
        let next = QuotaDay {
            day: "2026-01-02".into(),
            ..day()
        };
        assert!(matches!(
            limiter.decide(&check, MINUTE, &next),
            Decision::Allowed(_)
        ));
    }

    #[test]
    fn the_quota_day_ends_at_midnight_utc() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-01T23:59:30Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let d = QuotaDay::of(t);
        assert_eq!(d.reset_secs, 30);
        assert_eq!(d.day, "2026-03-01");
        assert_eq!(d.reset_at, t.timestamp() + 30);
    }
}
