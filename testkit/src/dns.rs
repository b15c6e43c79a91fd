//! An authoritative DNS server on 127.0.0.1 serving zones held in memory (hickory-server), for the
//! scanner's tests and `keel-bench domains`. Records can be replaced while it serves, as an
//! operator editing a zone would.

use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, AAAA, MX, NS, PTR, SOA, SRV, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType, RrKey};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::Arc;

type Zone = InMemoryZoneHandler<TokioRuntimeProvider>;

pub struct DnsFixture {
    /// Where resolvers ask (UDP and TCP).
    pub addr: SocketAddr,
    zones: HashMap<String, Arc<Zone>>,
    serial: AtomicU32,
    mode: Arc<AtomicU8>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// How the fixture answers, switchable while it serves: as an authoritative server would, like a
/// broken one (SERVFAIL to everything), or like a dead one (no answer at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsMode {
    Serve = 0,
    Servfail = 1,
    Silent = 2,
}

/// The answer of a broken server to the query `q`: its header and question, with `rcode`.
fn failure(q: &[u8], rcode: u8) -> Option<Vec<u8>> {
    if q.len() < 12 {
        return None;
    }
    let mut i = 12;
    while i < q.len() && q[i] != 0 {
        i += 1 + usize::from(q[i]);
    }
    let end = (i + 5).min(q.len());
    let mut r = q[..end].to_vec();
    // QR set; opcode and RD kept; AA and TC clear. RA set, and the response code.
    r[2] = 0x80 | (q[2] & 0x79);
    r[3] = 0x80 | (rcode & 0x0f);
    r[4..6].copy_from_slice(&1u16.to_be_bytes());
    for b in &mut r[6..12] {
        *b = 0;
    }
    Some(r)
}

const SERVFAIL: u8 = 2;

/// Forwards UDP queries to the server at `inner`, or answers them as `mode` says.
async fn udp_front(public: Arc<tokio::net::UdpSocket>, inner: SocketAddr, mode: Arc<AtomicU8>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, peer)) = public.recv_from(&mut buf).await else {
            return;
        };
        let q = buf[..n].to_vec();
        match mode.load(Ordering::SeqCst) {
            0 => {
                let public = public.clone();
                tokio::spawn(async move {
                    let Ok(s) = tokio::net::UdpSocket::bind("127.0.0.1:0").await else {
                        return;
                    };
                    let mut b = vec![0u8; 65_535];
                    if s.send_to(&q, inner).await.is_ok() {
                        if let Ok(Ok(m)) =
                            tokio::time::timeout(std::time::Duration::from_secs(2), s.recv(&mut b))
                                .await
                        {
                            let _ = public.send_to(&b[..m], peer).await;
                        }
                    }
                });
            }
            1 => {
                if let Some(r) = failure(&q, SERVFAIL) {
                    let _ = public.send_to(&r, peer).await;
                }
            }
            _ => {}
        }
    }
}

/// Forwards TCP connections to the server at `inner`, or answers (or holds) them as `mode` says.
async fn tcp_front(public: tokio::net::TcpListener, inner: SocketAddr, mode: Arc<AtomicU8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut c, _)) = public.accept().await else {
            return;
        };
        let m = mode.load(Ordering::SeqCst);
        tokio::spawn(async move {
            match m {
                0 => {
                    if let Ok(mut u) = tokio::net::TcpStream::connect(inner).await {
                        let _ = tokio::io::copy_bidirectional(&mut c, &mut u).await;
                    }
                }
                1 => loop {
                    let Ok(len) = c.read_u16().await else { return };
                    let mut q = vec![0u8; usize::from(len)];
                    if c.read_exact(&mut q).await.is_err() {
                        return;
                    }
                    let Some(r) = failure(&q, SERVFAIL) else {
                        return;
                    };
                    let mut out = (r.len() as u16).to_be_bytes().to_vec();
                    out.extend(r);
                    if c.write_all(&out).await.is_err() {
                        return;
                    }
                },
                // Read and never answer, until the client gives up.
                _ => {
                    let mut sink = [0u8; 512];
                    while matches!(c.read(&mut sink).await, Ok(n) if n > 0) {}
                }
            }
        });
    }
}

fn name(s: &str) -> anyhow::Result<Name> {
    Ok(Name::from_str(&format!("{}.", s.trim_end_matches('.')))?)
}

/// One record from presentation text: `A 192.0.2.1`, `MX 10 mx.example.com`, `TXT v=spf1 -all`,
/// `NS ns1.example.com`, `AAAA 2001:db8::1`, `SRV 0 5 443 host.example.com`, `PTR host.example.com`.
fn rdata(rtype: &str, value: &str) -> anyhow::Result<RData> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    Ok(match rtype {
        "A" => RData::A(A(value.parse()?)),
        "AAAA" => RData::AAAA(AAAA(value.parse()?)),
        "MX" => RData::MX(MX::new(parts[0].parse()?, name(parts[1])?)),
        "NS" => RData::NS(NS(name(value)?)),
        "PTR" => RData::PTR(PTR(name(value)?)),
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
        "PTR" => RecordType::PTR,
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
        // The server listens inside; what resolvers reach is a front that can also play a
        // broken or a dead server.
        let inner_udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let inner_tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (inner_udp_addr, inner_tcp_addr) = (inner_udp.local_addr()?, inner_tcp.local_addr()?);
        let mut server = Server::new(catalog);
        server.register_socket(inner_udp);
        server.register_listener(inner_tcp, std::time::Duration::from_secs(5), 65_535);
        let mode = Arc::new(AtomicU8::new(DnsMode::Serve as u8));
        let tasks = vec![
            tokio::spawn(async move {
                let _ = server.block_until_done().await;
            }),
            tokio::spawn(udp_front(Arc::new(udp), inner_udp_addr, mode.clone())),
            tokio::spawn(tcp_front(tcp, inner_tcp_addr, mode.clone())),
        ];
        Ok(Self {
            addr,
            zones,
            serial: AtomicU32::new(2),
            mode,
            tasks,
        })
    }

    /// From now on, answer as `mode` says.
    pub fn set_mode(&self, mode: DnsMode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
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
        for t in &self.tasks {
            t.abort();
        }
    }
}
