//! Rate limits (per key, GCRA) and daily quotas (per workspace).
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT). A key on a tier allowing
//! `L` requests per minute with burst `B` has an emission interval `T = 60 s / L` and a tolerance
//! `τ = B·T`: a request at `now` is accepted when `max(TAT, now) − now ≤ τ`, which sets
//! `TAT = max(TAT, now) + T`. In any minute a key is accepted at most `L + B` times, whatever it
//! sends; idle, it may send `B + 1` at once. The same arithmetic runs in process (a `DashMap`) and
//! in Redis (one Lua script, so several api replicas share one limit without races).

use chrono::{DateTime, NaiveTime, Utc};
use dashmap::DashMap;
use keel_events::Tier;
use keel_projections::Db;
use std::time::Duration;

const MICROS_PER_MINUTE: i64 = 60_000_000;

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

    fn emission_us(&self) -> i64 {
        (MICROS_PER_MINUTE / self.per_minute.max(1) as i64).max(1)
    }

    fn tolerance_us(&self) -> i64 {
        self.burst as i64 * self.emission_us()
    }
}

/// What the rate-limit headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    /// Requests per minute.
    pub limit: u64,
    pub burst: u64,
    /// Requests that would be accepted right now.
    pub remaining: u64,
    /// Seconds until the bucket is full again.
    pub reset_secs: u64,
    /// For a refused request: seconds until one would be accepted.
    pub retry_after_secs: Option<u64>,
}

/// What the quota headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    pub limit: u64,
    pub used: u64,
    /// Seconds until the UTC day ends.
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

/// The pure GCRA step: `Ok(new_tat)` if a request at `now` is accepted, `Err(tat)` if not.
pub fn gcra(stored_tat: Option<i64>, now: i64, p: &Policy) -> Result<i64, i64> {
    let tat = stored_tat.unwrap_or(now).max(now);
    if tat - now > p.tolerance_us() {
        Err(tat)
    } else {
        Ok(tat + p.emission_us())
    }
}

/// The header values after a decision, from the TAT it left and whether it accepted.
pub fn rate_state(p: &Policy, tat: i64, now: i64, accepted: bool) -> RateState {
    let t = p.emission_us();
    let ahead = (tat - now).max(0);
    let remaining = ((p.tolerance_us() + t - ahead) / t).max(0) as u64;
    RateState {
        limit: p.per_minute,
        burst: p.burst,
        remaining,
        reset_secs: ceil_secs(ahead),
        retry_after_secs: (!accepted).then(|| ceil_secs(ahead - p.tolerance_us()).max(1)),
    }
}

pub fn utc_day(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d").to_string()
}

fn secs_to_midnight(now: DateTime<Utc>) -> u64 {
    let midnight = (now.date_naive() + chrono::Days::new(1)).and_time(NaiveTime::MIN);
    (midnight.and_utc() - now).num_seconds().max(1) as u64
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
    tats: DashMap<String, i64>,
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
    pub fn decide(&self, check: &Check, now_us: i64, day: &str, to_midnight: u64) -> Decision {
        let p = &check.policy;
        // The bucket's entry stays locked until the decision is made, so concurrent requests
        // of one key are decided one after another; the quota map is always locked second.
        let mut tat = self.tats.entry(check.bucket.clone()).or_insert(i64::MIN);
        let stored = (*tat != i64::MIN).then_some(*tat);
        let new_tat = match gcra(stored, now_us, p) {
            Ok(t) => t,
            Err(t) => {
                let quota = check.quota.as_ref().map(|(ws, limit)| QuotaState {
                    limit: *limit,
                    used: self
                        .quotas
                        .get(&(ws.clone(), day.to_string()))
                        .map_or(0, |q| q.used),
                    reset_secs: to_midnight,
                });
                return Decision::RateLimited(Limits {
                    rate: rate_state(p, t, now_us, false),
                    quota,
                });
            }
        };
        let quota = match &check.quota {
            None => None,
            Some((ws, limit)) => {
                let mut q = self
                    .quotas
                    .entry((ws.clone(), day.to_string()))
                    .or_default();
                if q.used >= *limit {
                    let limits = Limits {
                        rate: rate_state(p, stored.unwrap_or(now_us), now_us, true),
                        quota: Some(QuotaState {
                            limit: *limit,
                            used: q.used,
                            reset_secs: to_midnight,
                        }),
                    };
                    return Decision::QuotaExceeded(limits);
                }
                q.used += 1;
                q.pending += 1;
                Some(QuotaState {
                    limit: *limit,
                    used: q.used,
                    reset_secs: to_midnight,
                })
            }
        };
        *tat = new_tat;
        Decision::Allowed(Limits {
            rate: rate_state(p, new_tat, now_us, true),
            quota,
        })
    }

    /// Writes pending quota counts and forgets what no longer matters: buckets that are full
    /// again and counts of past days.
    pub async fn flush(&self, db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let now_us = now.timestamp_micros();
        self.tats.retain(|_, tat| *tat > now_us);
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

/// GCRA and the daily quota in one atomic step. KEYS: the bucket's TAT, the quota counter (or an
/// unused name). ARGV: now in µs (0: the Redis server's clock, shared by every replica),
/// emission interval, tolerance, quota limit (-1: none), quota key lifetime in seconds.
/// Returns {verdict (1 accepted, 0 rate limited, 2 over quota), tat, now, used}.
const GCRA_LUA: &str = r"
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local emission = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local quota = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local used = 0
if quota >= 0 then used = tonumber(redis.call('GET', KEYS[2]) or '0') end
if tat - now > tolerance then
  return {0, tat, now, used}
end
if quota >= 0 and used >= quota then
  return {2, tat, now, used}
end
local new_tat = tat + emission
-- %.0f: Lua would print a 16-digit number in exponent form and lose microseconds.
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.floor((new_tat - now) / 1000) + 1000)
if quota >= 0 then
  used = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
end
return {1, new_tat, now, used}
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
            script: redis::Script::new(GCRA_LUA),
        })
    }

    /// Decides one request. `now_us = None` uses the Redis server's clock.
    pub async fn decide(
        &self,
        check: &Check,
        now_us: Option<i64>,
        day: &str,
        to_midnight: u64,
    ) -> redis::RedisResult<Decision> {
        let p = &check.policy;
        let quota_key = match &check.quota {
            Some((ws, _)) => format!("keel:quota:{ws}:{day}"),
            None => "keel:quota:none".into(),
        };
        let mut conn = self.conn.clone();
        let (verdict, tat, now, used): (i64, i64, i64, i64) = self
            .script
            .key(format!("keel:rl:{}", check.bucket))
            .key(quota_key)
            .arg(now_us.unwrap_or(0))
            .arg(p.emission_us())
            .arg(p.tolerance_us())
            .arg(check.quota.as_ref().map_or(-1, |(_, l)| *l as i64))
            .arg(2 * 86_400)
            .invoke_async(&mut conn)
            .await?;
        let quota = check.quota.as_ref().map(|(_, limit)| QuotaState {
            limit: *limit,
            used: used.max(0) as u64,
            reset_secs: to_midnight,
        });
        Ok(match verdict {
            1 => Decision::Allowed(Limits {
                rate: rate_state(p, tat, now, true),
                quota,
            }),
            2 => Decision::QuotaExceeded(Limits {
                rate: rate_state(p, tat, now, true),
                quota,
            }),
            _ => Decision::RateLimited(Limits {
                rate: rate_state(p, tat, now, false),
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
        let day = utc_day(now);
        let to_midnight = secs_to_midnight(now);
        if let Some(redis) = &self.redis {
            match redis.decide(check, None, &day, to_midnight).await {
                Ok(d) => return Ok(d),
                Err(e) => {
                    keel_infra::metrics::LIMITER_FALLBACKS.inc();
                    tracing::error!(error = %e, "Redis limiter failed; limiting in process");
                }
            }
        }
        if let Some((ws, _)) = &check.quota {
            self.local.load_quota(db, ws, &day).await?;
        }
        Ok(self
            .local
            .decide(check, now.timestamp_micros(), &day, to_midnight))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends at twice the allowed rate for one minute; returns how many were accepted.
    fn twice_the_rate_for_a_minute(tier: Tier) -> u64 {
        let limiter = LocalLimiter::default();
        let p = Policy::for_tier(tier);
        let check = Check {
            bucket: "k".into(),
            policy: p,
            quota: None,
        };
        let start = 1_800_000_000_000_000_i64;
        let sends = 2 * p.per_minute as i64;
        let gap = MICROS_PER_MINUTE / sends;
        (0..sends)
            .filter(|i| {
                matches!(
                    limiter.decide(&check, start + i * gap, "d", 1),
                    Decision::Allowed(_)
                )
            })
            .count() as u64
    }

    #[test]
    fn at_twice_the_rate_for_a_minute_a_key_gets_exactly_limit_plus_burst() {
        for tier in Tier::ALL {
            let accepted = twice_the_rate_for_a_minute(tier);
            let p = Policy::for_tier(tier);
            assert_eq!(accepted, p.per_minute + p.burst, "{tier:?}");
        }
    }

    #[test]
    fn an_idle_key_may_burst_then_waits_one_emission_interval() {
        let p = Policy::for_tier(Tier::Starter); // 1000/min: one every 60 ms, burst 200
        let limiter = LocalLimiter::default();
        let check = Check {
            bucket: "k".into(),
            policy: p,
            quota: None,
        };
        let now = 1_000_000_000_000_000;
        let first = limiter.decide(&check, now, "d", 1);
        let Decision::Allowed(l) = first else {
            panic!("{first:?}")
        };
        assert_eq!(
            (l.rate.limit, l.rate.remaining, l.rate.reset_secs),
            (1000, 200, 1)
        );
        for _ in 0..200 {
            assert!(matches!(
                limiter.decide(&check, now, "d", 1),
                Decision::Allowed(_)
            ));
        }
        let refused = limiter.decide(&check, now, "d", 1);
        let Decision::RateLimited(l) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(l.rate.remaining, 0);
        assert_eq!(l.rate.retry_after_secs, Some(1));
        assert_eq!(l.rate.reset_secs, 13); // 201 × 60 ms
        assert!(matches!(
            limiter.decide(&check, now + 60_000, "d", 1),
            Decision::Allowed(_)
        ));
    }

    #[test]
    fn free_keys_have_no_burst() {
        let p = Policy::for_tier(Tier::Free);
        assert_eq!(gcra(None, 0, &p), Ok(1_000_000));
        assert_eq!(gcra(Some(1_000_000), 0, &p), Err(1_000_000));
        assert_eq!(gcra(Some(1_000_000), 1_000_000, &p), Ok(2_000_000));
    }

    #[test]
    fn the_quota_refuses_past_the_limit_without_spending_the_rate() {
        let limiter = LocalLimiter::default();
        let check = Check {
            bucket: "k".into(),
            policy: Policy::for_tier(Tier::Enterprise),
            quota: Some(("ws".into(), 3)),
        };
        let now = 1_000_000_000_000_000;
        for used in 1..=3 {
            let d = limiter.decide(&check, now, "2026-01-01", 10);
            let Decision::Allowed(l) = d else {
                panic!("{d:?}")
            };
            assert_eq!(l.quota.map(|q| q.used), Some(used));
        }
        let d = limiter.decide(&check, now, "2026-01-01", 10);
        assert!(matches!(d, Decision::QuotaExceeded(l) if l.quota.map(|q| q.used) == Some(3)));
        // A new day starts from zero.
        assert!(matches!(
            limiter.decide(&check, now, "2026-01-02", 10),
            Decision::Allowed(_)
        ));
    }

    #[test]
    fn seconds_to_midnight_are_counted_in_utc() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-01T23:59:30Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(secs_to_midnight(t), 30);
        assert_eq!(utc_day(t), "2026-03-01");
    }
}
