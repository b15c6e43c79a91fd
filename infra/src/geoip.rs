//! Where a server is: the country, region, city, coordinates and network (ASN) of an address,
//! from MaxMind-format databases (GeoLite2/GeoIP2 City and ASN, or any `.mmdb` of their layout),
//! set with `KEEL_GEOIP_CITY_PATH` and `KEEL_GEOIP_ASN_PATH`.
//!
//! The scanner looks up the primary MX address and the apex's first address and records the
//! answers in the scan (`records.geo`), so a scan keeps saying where its servers were even after
//! the databases are updated, and a replay never depends on their version.

use maxminddb::{geoip2, Reader};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::IpAddr;
use std::path::Path;

/// The databases: either may be missing.
pub struct GeoIp {
    city: Option<Reader<Vec<u8>>>,
    asn: Option<Reader<Vec<u8>>>,
}

/// Where an address is, as far as the databases know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub ip: String,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The first subdivision (state, region), in English, else its ISO code.
    pub region: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `AS15169`.
    pub asn: Option<String>,
    pub asn_name: Option<String>,
}

impl GeoIp {
    /// Opens the databases at `city` and `asn` (`None` when both are unset).
    pub fn open(city: Option<&Path>, asn: Option<&Path>) -> anyhow::Result<Option<GeoIp>> {
        let read = |p: Option<&Path>, what: &str| -> anyhow::Result<Option<Vec<u8>>> {
            p.map(|p| std::fs::read(p).map_err(|e| anyhow::anyhow!("{what} {}: {e}", p.display())))
                .transpose()
        };
        GeoIp::from_bytes(
            read(city, "KEEL_GEOIP_CITY_PATH")?,
            read(asn, "KEEL_GEOIP_ASN_PATH")?,
        )
    }

    /// The databases from their bytes (`None` when both are absent).
    pub fn from_bytes(
        city: Option<Vec<u8>>,
        asn: Option<Vec<u8>>,
    ) -> anyhow::Result<Option<GeoIp>> {
        if city.is_none() && asn.is_none() {
            return Ok(None);
        }
        let open = |b: Option<Vec<u8>>, what: &str| -> anyhow::Result<Option<Reader<Vec<u8>>>> {
            b.map(|b| {
                Reader::from_source(b)
                    .map_err(|e| anyhow::anyhow!("{what} is not a MaxMind database: {e}"))
            })
            .transpose()
        };
        Ok(Some(GeoIp {
            city: open(city, "the GeoIP city database")?,
            asn: open(asn, "the GeoIP ASN database")?,
        }))
    }

    /// Where `ip` is; `None` when neither database knows it.
    pub fn locate(&self, ip: IpAddr) -> Option<Place> {
        let mut place = Place {
            ip: ip.to_string(),
            ..Place::default()
        };
        let mut known = false;
        if let Some(r) = &self.city {
            let found: Option<geoip2::City> =
                r.lookup(ip).ok().and_then(|l| l.decode().ok()).flatten();
            if let Some(c) = found {
                known = true;
                place.country = c.country.iso_code.map(str::to_string);
                place.region = c
                    .subdivisions
                    .first()
                    .and_then(|s| s.names.english.or(s.iso_code).map(str::to_string));
                place.city = c.city.names.english.map(str::to_string);
                place.lat = c.location.latitude;
                place.lon = c.location.longitude;
            }
        }
        if let Some(r) = &self.asn {
            let found: Option<geoip2::Asn> =
                r.lookup(ip).ok().and_then(|l| l.decode().ok()).flatten();
            if let Some(a) = found {
                known = true;
                place.asn = a.autonomous_system_number.map(|n| format!("AS{n}"));
                place.asn_name = a.autonomous_system_organization.map(str::to_string);
            }
        }
        known.then_some(place)
    }

    /// Records in a scan's `records` where its primary MX address and the apex's first address
    /// are: `geo: {mx: Place|null, a: Place|null}`.
    pub fn annotate(&self, records: &mut Value) {
        let first = |v: &Value| {
            v.as_array()
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let mx = &records["mx"][0];
        let mx_ip = first(&mx["ipv4"]).or_else(|| first(&mx["ipv6"]));
        let a_ip = first(&records["a"]).or_else(|| first(&records["aaaa"]));
        let place = |ip: Option<String>| {
            ip.and_then(|ip| ip.parse::<IpAddr>().ok())
                .and_then(|ip| self.locate(ip))
                .map_or(Value::Null, |p| {
                    serde_json::to_value(p).unwrap_or(Value::Null)
                })
        };
        let geo = serde_json::json!({ "mx": place(mx_ip), "a": place(a_ip) });
        if let Value::Object(m) = records {
            m.insert("geo".into(), geo);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    use keel_testkit::geoip::databases;

    #[test]
    fn an_address_is_placed_by_both_databases() {
        let (city, asn) = databases();
        let g = GeoIp::from_bytes(Some(city), Some(asn)).unwrap().unwrap();
        let p = g.locate("192.0.2.25".parse().unwrap()).unwrap();
        assert_eq!(p.country.as_deref(), Some("DE"));
        assert_eq!(p.region.as_deref(), Some("Land Berlin"));
        assert_eq!(p.city.as_deref(), Some("Berlin"));
        assert_eq!(p.lat, Some(52.5244));
        assert_eq!(p.asn.as_deref(), Some("AS64500"));
        assert_eq!(p.asn_name.as_deref(), Some("Example Net"));
        // Known to one database only.
        let six = g.locate("2001:db8::1".parse().unwrap()).unwrap();
        assert_eq!((six.country, six.asn.as_deref()), (None, Some("AS64501")));
        assert_eq!(g.locate("198.51.100.1".parse().unwrap()), None);
    }

    #[test]
    fn a_scan_records_where_its_servers_are() {
        let (city, _) = databases();
        let g = GeoIp::from_bytes(Some(city), None).unwrap().unwrap();
        let mut records = json!({
            "mx": [{"host": "mx.example.com", "ipv4": ["192.0.2.25"], "ipv6": []}],
            "a": ["198.51.100.1"],
        });
        g.annotate(&mut records);
        assert_eq!(records["geo"]["mx"]["city"], "Berlin");
        assert_eq!(records["geo"]["mx"]["asn"], Value::Null);
        assert_eq!(records["geo"]["a"], Value::Null);
    }

    #[test]
    fn no_databases_is_no_geoip_and_a_bad_file_is_an_error() {
        assert!(GeoIp::from_bytes(None, None).unwrap().is_none());
        assert!(GeoIp::from_bytes(Some(b"not a database".to_vec()), None).is_err());
    }
}
