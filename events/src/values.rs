use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A workspace's plan. Decides key quotas, rate limits and entitlements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Free,
    Starter,
    Pro,
    /// core-api's `business` is read as `agency` (the tier between pro and enterprise).
    #[serde(alias = "business")]
    Agency,
    Enterprise,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Free,
        Tier::Starter,
        Tier::Pro,
        Tier::Agency,
        Tier::Enterprise,
    ];

    /// How many API keys may be active at once in a workspace on this tier.
    pub fn max_active_keys(self) -> i64 {
        match self {
            Tier::Free => 3,
            Tier::Starter => 10,
            Tier::Pro => 25,
            Tier::Agency => 100,
            Tier::Enterprise => 1000,
        }
    }

    /// Position in the order free < starter < pro < agency < enterprise.
    pub fn rank(self) -> usize {
        Tier::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// Sustained API requests per minute allowed to one key on this tier.
    pub fn requests_per_minute(self) -> u64 {
        match self {
            Tier::Free => 60,
            Tier::Starter => 1_000,
            Tier::Pro => 5_000,
            Tier::Agency => 20_000,
            Tier::Enterprise => 100_000,
        }
    }

    /// Requests a key may send at once on top of the sustained rate (0, +20%, +30%, +50%, +100%).
    pub fn burst(self) -> u64 {
        let percent = match self {
            Tier::Free => 0,
            Tier::Starter => 20,
            Tier::Pro => 30,
            Tier::Agency => 50,
            Tier::Enterprise => 100,
        };
        self.requests_per_minute() * percent / 100
    }

    /// API calls a workspace on this tier may make per UTC day.
    pub fn daily_quota(self) -> u64 {
        match self {
            Tier::Free => 10_000,
            Tier::Starter => 100_000,
            Tier::Pro => 1_000_000,
            Tier::Agency => 5_000_000,
            Tier::Enterprise => 50_000_000,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Starter => "starter",
            Tier::Pro => "pro",
            Tier::Agency => "agency",
            Tier::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // core-api's name for the tier between pro and enterprise.
        let s = if s == "business" { "agency" } else { s };
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown tier `{s}`; expected one of free, starter, pro, agency (or business), enterprise"
                )
            })
    }
}

/// Resources that scopes can name, as `resource:read` or `resource:write`.
pub const SCOPE_RESOURCES: [&str; 19] = [
    "workspaces",
    "keys",
    "sites",
    "events",
    "analytics",
    "usage",
    "domains",
    "exports",
    "audit",
    "webhooks",
    "entitlements",
    // Saved dashboards and funnels (what an analyst may write); `analytics:*` grants the same.
    "dashboards",
    // A workspace's members and invitations.
    "members",
    // Alerts and their history.
    "alerts",
    // Tracking Checker scans (datanostro's partner API).
    "tracking_checker",
    // SEO reports and issues (core-api).
    "seo",
    // The MCP servers' REST face (core-api): listing servers and tools, calling tools. A tool
    // itself needs the scope of what it does as well.
    "mcp",
    // Connected sources (Stripe) and their syncs (Dashtray's integrations).
    "integrations",
    // Pushed points of custom metrics (`POST /api/v1/metrics`).
    "metrics",
];

/// Resource names other documents use for Keel's (core-api's `api-keys`), read as Keel's.
pub const SCOPE_ALIASES: [(&str, &str); 1] = [("api-keys", "keys")];

/// Access levels of a scope. `write` implies `read` and `delete`; `delete` implies `read`; `*`
/// implies all (core-api's `webhooks:*`).
pub const SCOPE_LEVELS: [&str; 4] = ["read", "write", "delete", "*"];

/// A permission of the form `resource:read|write|delete|*`. `write` implies `read` and `delete`
/// of the same resource, `delete` implies `read`, `*` everything. `api-keys:…` is read as
/// `keys:…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{0}`; expected `resource:read`, `resource:write`, `resource:delete` or `resource:*` with a known resource")]
pub struct ScopeError(pub String);

impl Scope {
    pub fn parse(s: &str) -> Result<Self, ScopeError> {
        let (resource, access) = s.split_once(':').ok_or_else(|| ScopeError(s.to_string()))?;
        let resource = SCOPE_ALIASES
            .iter()
            .find(|(alias, _)| *alias == resource)
            .map_or(resource, |(_, keel)| keel);
        if SCOPE_RESOURCES.contains(&resource) && SCOPE_LEVELS.contains(&access) {
            Ok(Self(format!("{resource}:{access}")))
        } else {
            Err(ScopeError(s.to_string()))
        }
    }

    /// `read`, `write`, `delete` or `*`.
    pub fn level(&self) -> &str {
        self.0.split_once(':').map(|(_, l)| l).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn resource(&self) -> &str {
        self.0.split_once(':').map(|(r, _)| r).unwrap_or_default()
    }

    pub fn is_write(&self) -> bool {
        matches!(self.level(), "write" | "*")
    }

    /// Whether holding `self` grants `wanted`.
    pub fn grants(&self, wanted: &Scope) -> bool {
        if self == wanted {
            return true;
        }
        // Dashboards and funnels were analytics' before they had their own scope: keys made
        // then keep what they could do.
        let covers = self.resource() == wanted.resource()
            || (self.resource() == "analytics" && wanted.resource() == "dashboards");
        if !covers {
            return false;
        }
        if self.level() == wanted.level() {
            return true;
        }
        matches!(
            (self.level(), wanted.level()),
            ("*", _) | ("write", "read" | "delete") | ("delete", "read")
        )
    }

    /// Every scope there is (what the operator token holds).
    pub fn all() -> Vec<Scope> {
        SCOPE_RESOURCES
            .iter()
            .flat_map(|r| [Scope(format!("{r}:read")), Scope(format!("{r}:write"))])
            .collect()
    }
}

impl TryFrom<String> for Scope {
    type Error = ScopeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Scope::parse(&s)
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Per-workspace presentation settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// BCP 47 language tag, e.g. `en-US`.
    pub locale: String,
}

impl Default for WorkspaceSettings {
    fn default() -> Self {
        Self {
            timezone: "UTC".into(),
            locale: "en-US".into(),
        }
    }
}

/// Active ISO 4217 currency codes.
const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Whether `code` is an active ISO 4217 currency code (upper case, e.g. `USD`).
pub fn is_currency(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod currency_tests {
    use super::*;

    #[test]
    fn the_currency_list_is_sorted_and_known_codes_are_found() {
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_currency("USD") && is_currency("EUR") && is_currency("JPY"));
        assert!(!is_currency("usd") && !is_currency("XYZ") && !is_currency(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Scope {
        Scope::parse(x).expect(x)
    }

    #[test]
    fn write_implies_read_and_delete_and_a_star_implies_all() {
        assert!(s("keys:write").grants(&s("keys:read")));
        assert!(s("keys:write").grants(&s("keys:delete")));
        assert!(s("keys:delete").grants(&s("keys:read")));
        assert!(!s("keys:delete").grants(&s("keys:write")));
        assert!(!s("keys:read").grants(&s("keys:delete")));
        assert!(s("webhooks:*").grants(&s("webhooks:write")));
        assert!(!s("webhooks:*").grants(&s("keys:read")));
    }

    #[test]
    fn analytics_scopes_keep_granting_dashboards_but_not_the_other_way() {
        assert!(s("analytics:write").grants(&s("dashboards:write")));
        assert!(s("analytics:read").grants(&s("dashboards:read")));
        assert!(!s("analytics:read").grants(&s("dashboards:write")));
        assert!(!s("dashboards:write").grants(&s("analytics:write")));
        assert!(!s("dashboards:write").grants(&s("analytics:delete")));
    }

    #[test]
    fn core_apis_business_tier_is_agency() {
        assert_eq!("business".parse::<Tier>(), Ok(Tier::Agency));
        assert_eq!(
            serde_json::from_str::<Tier>("\"business\"").ok(),
            Some(Tier::Agency)
        );
        assert_eq!(Tier::Agency.as_str(), "agency");
    }

    #[test]
    fn core_apis_api_keys_scopes_are_keels_keys_scopes() {
        assert_eq!(s("api-keys:read").as_str(), "keys:read");
        assert_eq!(s("api-keys:delete").as_str(), "keys:delete");
        assert!(Scope::parse("posts:read").is_err());
        assert!(Scope::parse("keys:admin").is_err());
        assert!(Scope::parse("api-keys").is_err());
    }
}
