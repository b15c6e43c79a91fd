//! Country of a client address, from an IP-range CSV loaded at start (`KEEL_GEOIP_PATH`): lines of
//! `first_ip,last_ip,country_code`, IPv4 or IPv6, optionally quoted — the layout of DB-IP's free
//! "IP to Country Lite" file. Lookups are a binary search; addresses are never stored.

use std::net::IpAddr;

#[derive(Debug, Default)]
pub struct GeoDb {
    /// `(first, last, country)`, sorted by `first`, non-overlapping.
    ranges: Vec<(u128, u128, [u8; 2])>,
}

fn key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl GeoDb {
    pub fn parse(text: &str) -> Result<GeoDb, String> {
        let mut ranges = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line
                .split(',')
                .map(|f| f.trim().trim_matches('"'))
                .collect();
            let bad = || format!("line {}: expected first_ip,last_ip,country_code", n + 1);
            let [first, last, cc, ..] = fields.as_slice() else {
                return Err(bad());
            };
            let (Ok(first), Ok(last)) = (first.parse::<IpAddr>(), last.parse::<IpAddr>()) else {
                if n == 0 {
                    continue; // a header line
                }
                return Err(bad());
            };
            let cc = cc.as_bytes();
            if cc.len() != 2 || !cc.iter().all(u8::is_ascii_alphabetic) {
                return Err(bad());
            }
            ranges.push((
                key(first),
                key(last),
                [cc[0].to_ascii_uppercase(), cc[1].to_ascii_uppercase()],
            ));
        }
        ranges.sort_unstable();
        Ok(GeoDb { ranges })
    }

    pub fn load(path: &std::path::Path) -> Result<GeoDb, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// ISO 3166-1 alpha-2 code of the address, if a range holds it.
    pub fn country(&self, ip: IpAddr) -> Option<&str> {
        let k = key(ip);
        let i = self.ranges.partition_point(|r| r.0 <= k);
        let (_, last, cc) = self.ranges.get(i.checked_sub(1)?)?;
        (k <= *last).then(|| std::str::from_utf8(cc).ok()).flatten()
    }
}

/// Where a client address is, as far as the databases know: `EdgeFacts` with its country, region
/// and city (the CSV's country first, else the City database's). The address is never kept.
pub fn place(state: &crate::state::AppState, ip: IpAddr) -> keel_commands::analytics::EdgeFacts {
    let found = state.city_geo.as_ref().and_then(|g| g.locate(ip));
    let country = state
        .geo
        .as_ref()
        .and_then(|g| g.country(ip))
        .map(str::to_string)
        .or_else(|| found.as_ref().and_then(|p| p.country.clone()));
    keel_commands::analytics::EdgeFacts {
        anonymous_visitor: None,
        country,
        region: found.as_ref().and_then(|p| p.region.clone()),
        city: found.and_then(|p| p.city),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_in_their_ranges() {
        let db = GeoDb::parse(
            "ip_start,ip_end,country\n\"1.0.0.0\",\"1.0.0.255\",\"AU\"\n8.8.8.0,8.8.8.255,us\n2001:db8::,2001:db8::ffff,DE\n",
        )
        .unwrap();
        assert_eq!(db.len(), 3);
        let c = |ip: &str| db.country(ip.parse().unwrap()).map(str::to_string);
        assert_eq!(c("1.0.0.7").as_deref(), Some("AU"));
        assert_eq!(c("8.8.8.8").as_deref(), Some("US"));
        assert_eq!(c("2001:db8::1").as_deref(), Some("DE"));
        assert_eq!(c("9.9.9.9"), None);
        assert_eq!(c("0.0.0.1"), None);
        assert!(GeoDb::parse("1.0.0.0,1.0.0.255\n2.0.0.0,x,US").is_err());
    }
}
