//! Small MaxMind-format databases for tests, written with the `mmdb-writer` crate: a City
//! database placing 192.0.2.0/24 in Berlin, Germany, and an ASN database naming 192.0.2.0/24
//! (AS64500, "Example Net") and 2001:db8::/32 (AS64501, "Doc Six").

#![allow(clippy::unwrap_used)]

use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct Names {
    en: &'static str,
}
#[derive(Serialize)]
struct Named {
    #[serde(skip_serializing_if = "Option::is_none")]
    iso_code: Option<&'static str>,
    names: Names,
}
#[derive(Serialize)]
struct Location {
    latitude: f64,
    longitude: f64,
}
#[derive(Serialize)]
struct City {
    country: Named,
    subdivisions: Vec<Named>,
    city: Named,
    location: Location,
}
#[derive(Serialize)]
struct Asn {
    autonomous_system_number: u32,
    autonomous_system_organization: &'static str,
}

/// A City and an ASN database of a few networks, written with another project's writer.
pub fn databases() -> (Vec<u8>, Vec<u8>) {
    let mut city = mmdb_writer::Writer::new("GeoIP2-City");
    city.insert(
        "192.0.2.0/24".parse::<ipnet::IpNet>().unwrap(),
        &City {
            country: Named {
                iso_code: Some("DE"),
                names: Names { en: "Germany" },
            },
            subdivisions: vec![Named {
                iso_code: Some("BE"),
                names: Names { en: "Land Berlin" },
            }],
            city: Named {
                iso_code: None,
                names: Names { en: "Berlin" },
            },
            location: Location {
                latitude: 52.5244,
                longitude: 13.4105,
            },
        },
    )
    .unwrap();
    let mut asn = mmdb_writer::Writer::new("GeoLite2-ASN");
    for (net, n, name) in [
        ("192.0.2.0/24", 64500, "Example Net"),
        ("2001:db8::/32", 64501, "Doc Six"),
    ] {
        asn.insert(
            net.parse::<ipnet::IpNet>().unwrap(),
            &Asn {
                autonomous_system_number: n,
                autonomous_system_organization: name,
            },
        )
        .unwrap();
    }
    (city.to_bytes().unwrap(), asn.to_bytes().unwrap())
}

/// Writes both databases into `dir`: `(city, asn)` paths.
pub fn write(dir: &Path) -> (PathBuf, PathBuf) {
    let (city, asn) = databases();
    let (c, a) = (dir.join("city.mmdb"), dir.join("asn.mmdb"));
    std::fs::write(&c, city).unwrap();
    std::fs::write(&a, asn).unwrap();
    (c, a)
}
