//! An authoritative DNS server on 127.0.0.1 serving zones held in memory (hickory-server), for the
//! scanner's tests and `keel-bench domains`. Records can be replaced while it serves, as an
//! operator editing a zone would.

use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, AAAA, MX, NS, SOA, SRV, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType, RrKey};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

type Zone = InMemoryZoneHandler<TokioRuntimeProvider>;

pub struct DnsFixture {
    pub addr: SocketAddr,
    zones: HashMap<String, Arc<Zone>>,
    serial: AtomicU32,
    server: tokio::task::JoinHandle<()>,
}

fn name(s: &str) -> anyhow::Result<Name> {
    Ok(Name::from_str(&format!("{}.", s.trim_end_matches('.')))?)
}

/// One record from presentation text: `A 192.0.2.1`, `MX 10 mx.example.com`, `TXT v=spf1 -all`,
/// `NS ns1.example.com`, `AAAA 2001:db8::1`, `SRV 0 5 443 host.example.com`.
fn rdata(rtype: &str, value: &str) -> anyhow::Result<RData> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    Ok(match rtype {
        "A" => RData::A(A(value.parse()?)),
        "AAAA" => RData::AAAA(AAAA(value.parse()?)),
        "MX" => RData::MX(MX::new(parts[0].parse()?, name(parts[1])?)),
        "NS" => RData::NS(NS(name(value)?)),
        "TXT" => RData::TXT(TXT::new(vec![value.to_string()])),
        "SRV" => RData::SRV(SRV::new(
            parts[0].parse()?,
            parts[1].parse()?,
            parts[2].parse()?,
            name(parts[3])?,
        )),
        other => anyhow::bail!("record type {other} is not supported by the fixture"),
    })
}

fn rtype_of(rtype: &str) -> anyhow::Result<RecordType> {
    Ok(match rtype {
        "A" => RecordType::A,
        "AAAA" => RecordType::AAAA,
        "MX" => RecordType::MX,
        "NS" => RecordType::NS,
        "TXT" => RecordType::TXT,
        "SRV" => RecordType::SRV,
        other => anyhow::bail!("record type {other} is not supported by the fixture"),
    })
}

impl DnsFixture {
    /// Serves `zones` (their origins) on a free UDP and TCP port of 127.0.0.1; each gets an SOA and
    /// an NS record, so that names and types it lacks are answered NXDOMAIN and NODATA properly.
    pub async fn start(origins: &[&str]) -> anyhow::Result<Self> {
        // The UDP port is free, but the same TCP port may be taken by another listener of a
        // parallel test: try other ports until one is free on both.
        let mut attempt = 0;
        let (udp, tcp, addr) = loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
            let addr = udp.local_addr()?;
            match tokio::net::TcpListener::bind(addr).await {
                Ok(tcp) => break (udp, tcp, addr),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && attempt < 50 => attempt += 1,
                Err(e) => return Err(e.into()),
            }
        };
        let mut catalog = Catalog::new();
        let mut zones = HashMap::new();
        for origin in origins {
            let o = name(origin)?;
            let zone = Zone::empty(o.clone(), ZoneType::Primary, AxfrPolicy::Deny);
            let soa = SOA::new(
                name(&format!("ns1.{origin}"))?,
                name(&format!("hostmaster.{origin}"))?,
                1,
                3600,
                600,
                86400,
                60,
            );
            zone.upsert(Record::from_rdata(o.clone(), 60, RData::SOA(soa)), 1)
                .await;
            zone.upsert(
                Record::from_rdata(
                    o.clone(),
                    60,
                    RData::NS(NS(name(&format!("ns1.{origin}"))?)),
                ),
                1,
            )
            .await;
            let zone = Arc::new(zone);
            catalog.upsert(
                LowerName::new(&o),
                vec![zone.clone() as Arc<dyn ZoneHandler>],
            );
            zones.insert(origin.trim_end_matches('.').to_ascii_lowercase(), zone);
        }
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, std::time::Duration::from_secs(5), 65_535);
        let task = tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        Ok(Self {
            addr,
            zones,
            serial: AtomicU32::new(2),
            server: task,
        })
    }

    fn zone_of(&self, owner: &str) -> anyhow::Result<&Arc<Zone>> {
        let owner = owner.trim_end_matches('.').to_ascii_lowercase();
        self.zones
            .iter()
            .filter(|(o, _)| owner == **o || owner.ends_with(&format!(".{o}")))
            .max_by_key(|(o, _)| o.len())
            .map(|(_, z)| z)
            .ok_or_else(|| anyhow::anyhow!("{owner} is in no zone of the fixture"))
    }

    /// Replaces the records of one name and type (none: removes them).
    pub async fn set(&self, owner: &str, rtype: &str, values: &[&str]) -> anyhow::Result<()> {
        let zone = self.zone_of(owner)?;
        let n = name(owner)?;
        zone.records_mut()
            .await
            .remove(&RrKey::new(LowerName::new(&n), rtype_of(rtype)?));
        let serial = self.serial.fetch_add(1, Ordering::SeqCst);
        for v in values {
            zone.upsert(Record::from_rdata(n.clone(), 60, rdata(rtype, v)?), serial)
                .await;
        }
        Ok(())
    }
}

impl Drop for DnsFixture {
    fn drop(&mut self) {
        self.server.abort();
    }
}
