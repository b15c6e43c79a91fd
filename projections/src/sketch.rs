//! Distinct-visitor counts that can be merged across rollup rows: exact sets of 64-bit visitor
//! hashes while small, HyperLogLog registers (p = 12, 4,096 one-byte registers) once a set would be
//! larger than the registers (stored sparsely while few are set, packed four bits each after).
//! Estimates use Ertl's improved raw estimator ("New cardinality
//! estimation algorithms for HyperLogLog sketches", 2017), which needs no bias tables; its relative
//! standard error is 1.04/√4096 ≈ 1.6 %, and tests hold it within 5 % across cardinalities.

use std::collections::HashSet;

const P: u32 = 12;
const M: usize = 1 << P;
/// Register values run 0..=Q+1.
const Q: u32 = 64 - P;
/// A stored exact set switches to registers past this many hashes (then both take about 2 KiB).
pub const EXACT_MAX: usize = M / 16;
/// A union made at query time stays exact up to this many visitors, then switches to registers.
pub const UNION_EXACT_MAX: usize = 4096;

const TAG_EXACT: u8 = 1;
/// Registers, one byte each (read only: written by earlier versions).
const TAG_DENSE: u8 = 2;
/// Registers packed two to a byte; a nibble of 15 means "15 or more", and the exact value of
/// each such register follows as `(u16 index, u8 value)`.
const TAG_PACKED: u8 = 3;
/// Registers, only the non-zero ones (HyperLogLog++'s sparse idea, at the same precision so the
/// estimate is unchanged): a `u16` count, then per register `index << 4 | min(value, 15)`, then
/// `(u16 index, u8 value)` for each register of 15 or more. Chosen while it is smaller than the
/// packed form, i.e. below about 1,000 non-zero registers — what a page's visitors on one day
/// usually fill.
const TAG_SPARSE: u8 = 4;
/// Sparse below this many non-zero registers (2 bytes each against 2 KiB packed).
const SPARSE_MAX: usize = M / 4;

/// The 64-bit hash of a visitor key. Keys are hex digests, so their first 16 digits are already
/// uniformly distributed; anything else goes through FNV-1a and a finaliser.
pub fn visitor_hash(key: &str) -> u64 {
    if let Some(h) = key.get(..16).and_then(|s| u64::from_str_radix(s, 16).ok()) {
        return h;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sketch {
    Exact(HashSet<u64>),
    Dense(Vec<u8>),
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::Exact(HashSet::new())
    }
}

fn register(h: u64) -> (usize, u8) {
    let idx = (h >> Q) as usize;
    let rho = ((h << P).leading_zeros() + 1).min(Q + 1);
    (idx, rho as u8)
}

impl Sketch {
    pub fn insert(&mut self, h: u64) {
        match self {
            Sketch::Exact(set) => {
                set.insert(h);
            }
            Sketch::Dense(regs) => {
                let (i, r) = register(h);
                if regs[i] < r {
                    regs[i] = r;
                }
            }
        }
    }

    /// Inserts, switching to registers once an exact set passes [`EXACT_MAX`] (bounded memory
    /// for accumulators; stored sketches are bounded the same way by [`Sketch::encode`]).
    pub fn insert_bounded(&mut self, h: u64) {
        self.insert(h);
        if matches!(self, Sketch::Exact(set) if set.len() > EXACT_MAX) {
            self.densify();
        }
    }

    fn densify(&mut self) {
        if let Sketch::Exact(set) = self {
            let mut regs = vec![0u8; M];
            for h in set.iter() {
                let (i, r) = register(*h);
                if regs[i] < r {
                    regs[i] = r;
                }
            }
            *self = Sketch::Dense(regs);
        }
    }

    /// Unions `other` into `self`. Exact sets stay exact (however large: query-time unions of
    /// small rows are exact); any dense input makes the result dense.
    pub fn merge(&mut self, other: &Sketch) {
        match (&mut *self, other) {
            (Sketch::Exact(a), Sketch::Exact(b)) => {
                a.extend(b.iter().copied());
                if a.len() > UNION_EXACT_MAX {
                    self.densify();
                }
            }
            (Sketch::Dense(a), Sketch::Dense(b)) => {
                for (x, y) in a.iter_mut().zip(b) {
                    *x = (*x).max(*y);
                }
            }
            (Sketch::Dense(_), Sketch::Exact(b)) => {
                for h in b {
                    self.insert(*h);
                }
            }
            (Sketch::Exact(_), Sketch::Dense(_)) => {
                self.densify();
                self.merge(other);
            }
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            Sketch::Exact(set) => set.len() as u64,
            Sketch::Dense(regs) => estimate(regs),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Sketch::Exact(_))
    }

    /// The stored form: a tag byte, then sorted little-endian hashes or the registers.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Sketch::Exact(set) if set.len() <= EXACT_MAX => {
                let mut hs: Vec<u64> = set.iter().copied().collect();
                hs.sort_unstable();
                let mut out = Vec::with_capacity(1 + 8 * hs.len());
                out.push(TAG_EXACT);
                for h in hs {
                    out.extend_from_slice(&h.to_le_bytes());
                }
                out
            }
            Sketch::Exact(_) => {
                let mut d = self.clone();
                d.densify();
                d.encode()
            }
            Sketch::Dense(regs) if regs.iter().filter(|r| **r != 0).count() < SPARSE_MAX => {
                let nonzero: Vec<(usize, u8)> = regs
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| **r != 0)
                    .map(|(i, r)| (i, *r))
                    .collect();
                let mut out = Vec::with_capacity(3 + 2 * nonzero.len());
                out.push(TAG_SPARSE);
                out.extend_from_slice(&(nonzero.len() as u16).to_le_bytes());
                for &(i, r) in &nonzero {
                    out.extend_from_slice(
                        &(((i as u16) << 4) | u16::from(r.min(15))).to_le_bytes(),
                    );
                }
                for &(i, r) in nonzero.iter().filter(|(_, r)| *r >= 15) {
                    out.extend_from_slice(&(i as u16).to_le_bytes());
                    out.push(r);
                }
                out
            }
            Sketch::Dense(regs) => {
                let mut out = Vec::with_capacity(1 + M / 2 + 8);
                out.push(TAG_PACKED);
                let mut overflow = Vec::new();
                for (i, pair) in regs.chunks_exact(2).enumerate() {
                    let mut nib = |k: usize| {
                        let r = pair[k];
                        if r >= 15 {
                            overflow.push((2 * i + k, r));
                            15
                        } else {
                            r
                        }
                    };
                    let lo = nib(0);
                    let hi = nib(1);
                    out.push(lo | (hi << 4));
                }
                for (i, r) in overflow {
                    out.extend_from_slice(&(i as u16).to_le_bytes());
                    out.push(r);
                }
                out
            }
        }
    }

    /// Unions a stored sketch into `self` without materialising it (the query path merges
    /// thousands of rows). False, and `self` unchanged, when the bytes are unreadable.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> bool {
        match bytes.split_first() {
            None => true,
            Some((&TAG_EXACT, rest)) if rest.len() % 8 == 0 => {
                let hs = rest
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
                match self {
                    Sketch::Exact(set) => {
                        set.extend(hs);
                        if set.len() > UNION_EXACT_MAX {
                            self.densify();
                        }
                    }
                    Sketch::Dense(_) => hs.for_each(|h| self.insert(h)),
                }
                true
            }
            Some((&tag, rest)) if matches!(tag, TAG_DENSE | TAG_PACKED | TAG_SPARSE) => {
                if !registers_valid(tag, rest) {
                    return false;
                }
                self.densify();
                let Sketch::Dense(regs) = self else {
                    return false;
                };
                for_each_register(tag, rest, |i, r| {
                    if regs[i] < r {
                        regs[i] = r;
                    }
                });
                true
            }
            _ => false,
        }
    }

    /// Reads a stored sketch; anything unreadable is an empty one (and logged by the caller).
    pub fn decode(bytes: &[u8]) -> Option<Sketch> {
        match bytes.split_first() {
            None => Some(Sketch::default()),
            Some((&TAG_EXACT, rest)) if rest.len() % 8 == 0 => Some(Sketch::Exact(
                rest.chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                    .collect(),
            )),
            Some((&tag, rest)) if registers_valid(tag, rest) => {
                let mut regs = vec![0u8; M];
                for_each_register(tag, rest, |i, r| regs[i] = r);
                Some(Sketch::Dense(regs))
            }
            _ => None,
        }
    }
}

/// Whether `rest` is a well-formed register encoding of kind `tag`.
fn registers_valid(tag: u8, rest: &[u8]) -> bool {
    match tag {
        TAG_DENSE => rest.len() == M,
        TAG_PACKED => rest.len() >= M / 2 && (rest.len() - M / 2).is_multiple_of(3),
        TAG_SPARSE => {
            if rest.len() < 2 {
                return false;
            }
            let n = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
            let tail = rest.len() - 2;
            n <= M && tail >= 2 * n && (tail - 2 * n).is_multiple_of(3)
        }
        _ => false,
    }
}

/// Calls `f(index, value)` for the registers of a valid encoding (zeros may be skipped; a
/// register may be reported twice, the later value being the true one).
fn for_each_register(tag: u8, rest: &[u8], mut f: impl FnMut(usize, u8)) {
    let overflow = match tag {
        TAG_DENSE => {
            rest.iter().enumerate().for_each(|(i, r)| f(i, *r));
            return;
        }
        TAG_PACKED => {
            for (i, b) in rest[..M / 2].iter().enumerate() {
                f(2 * i, b & 0x0f);
                f(2 * i + 1, b >> 4);
            }
            &rest[M / 2..]
        }
        _ => {
            let n = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
            for e in rest[2..2 + 2 * n].chunks_exact(2) {
                let v = u16::from_le_bytes([e[0], e[1]]);
                f(usize::from(v >> 4), (v & 0x0f) as u8);
            }
            &rest[2 + 2 * n..]
        }
    };
    for e in overflow.chunks_exact(3) {
        let i = usize::from(u16::from_le_bytes([e[0], e[1]]));
        if i < M {
            f(i, e[2]);
        }
    }
}

fn sigma(mut x: f64) -> f64 {
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_old = z;
        z += x * y;
        y += y;
        if z_old == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_old = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z_old == z {
            return z / 3.0;
        }
    }
}

fn estimate(regs: &[u8]) -> u64 {
    let m = M as f64;
    let mut hist = [0u32; Q as usize + 2];
    for r in regs {
        hist[usize::from(*r).min(Q as usize + 1)] += 1;
    }
    let mut z = m * tau(1.0 - f64::from(hist[Q as usize + 1]) / m);
    for k in (1..=Q as usize).rev() {
        z = 0.5 * (z + f64::from(hist[k]));
    }
    z += m * sigma(f64::from(hist[0]) / m);
    let alpha_inf = 1.0 / (2.0 * std::f64::consts::LN_2);
    (alpha_inf * m * m / z).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(seed: u64, n: u64) -> impl Iterator<Item = u64> {
        (0..n).map(move |i| visitor_hash(&format!("visitor-{seed}-{i}")))
    }

    #[test]
    fn small_sets_are_exact_and_survive_storage() {
        let mut s = Sketch::default();
        for h in hashes(1, 200).chain(hashes(1, 200)) {
            s.insert(h);
        }
        assert_eq!(s.count(), 200);
        let back = Sketch::decode(&s.encode()).unwrap();
        assert_eq!(back, s);
        assert!(Sketch::decode(&[9, 1, 2]).is_none());
    }

    #[test]
    fn estimates_stay_within_five_percent_across_cardinalities() {
        for &n in &[600u64, 2_000, 10_000, 30_000, 100_000, 1_000_000] {
            let mut s = Sketch::Dense(vec![0; M]);
            for h in hashes(n, n) {
                s.insert(h);
            }
            let stored = Sketch::decode(&s.encode()).unwrap();
            let err = (stored.count() as f64 - n as f64).abs() / n as f64;
            assert!(
                err < 0.05,
                "n = {n}: estimate {} ({:.2} %)",
                stored.count(),
                err * 100.0
            );
        }
    }

    #[test]
    fn unions_count_each_visitor_once() {
        // Two overlapping halves, stored separately past the exact limit, merged at query time.
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        for (i, h) in hashes(7, 20_000).enumerate() {
            if i < 12_000 {
                a.insert(h);
            }
            if i >= 8_000 {
                b.insert(h);
            }
        }
        let mut u = Sketch::decode(&a.encode()).unwrap();
        u.merge(&Sketch::decode(&b.encode()).unwrap());
        let err = (u.count() as f64 - 20_000.0).abs() / 20_000.0;
        assert!(err < 0.05, "{}", u.count());
        // Exact inputs stay exact however many there are.
        let mut e = Sketch::default();
        for chunk in 0..10 {
            let mut part = Sketch::default();
            for h in hashes(chunk, 100) {
                part.insert(h);
            }
            e.merge(&Sketch::decode(&part.encode()).unwrap());
        }
        assert!(e.is_exact());
        assert_eq!(e.count(), 1000);
        // Registers of 15 and more survive packing.
        let mut d = Sketch::Dense(vec![1; M]);
        if let Sketch::Dense(r) = &mut d {
            r[7] = 15;
            r[4000] = 40;
        }
        assert_eq!(Sketch::decode(&d.encode()).unwrap(), d);
        assert!(d.encode().len() < M / 2 + 16);
    }

    #[test]
    fn sparse_registers_round_trip_and_merge_like_decoded_ones() {
        // A few hundred visitors: registers stored sparsely, smaller than packed, same estimate.
        let mut few = Sketch::Dense(vec![0; M]);
        for h in hashes(3, 400) {
            few.insert(h);
        }
        if let Sketch::Dense(r) = &mut few {
            r[11] = 33;
        }
        let bytes = few.encode();
        assert_eq!(bytes[0], TAG_SPARSE);
        assert!(bytes.len() < 1000, "{}", bytes.len());
        assert_eq!(Sketch::decode(&bytes).unwrap(), few);
        // Many visitors: packed.
        let mut many = Sketch::Dense(vec![0; M]);
        for h in hashes(4, 50_000) {
            many.insert(h);
        }
        assert_eq!(many.encode()[0], TAG_PACKED);
        // merge_encoded gives what decode + merge gives, from every starting kind.
        let small = {
            let mut s = Sketch::default();
            hashes(5, 100).for_each(|h| s.insert(h));
            s
        };
        for start in [Sketch::default(), small.clone(), many.clone()] {
            for stored in [&small, &few, &many] {
                let mut a = start.clone();
                a.merge(&Sketch::decode(&stored.encode()).unwrap());
                let mut b = start.clone();
                assert!(b.merge_encoded(&stored.encode()));
                assert_eq!(a, b);
            }
        }
        // Malformed encodings are refused and leave the target untouched.
        let mut t = small.clone();
        for bad in [
            vec![TAG_SPARSE, 5, 0, 1],
            vec![TAG_PACKED, 1, 2],
            vec![TAG_EXACT, 1],
            vec![7],
        ] {
            assert!(!t.merge_encoded(&bad));
            assert!(Sketch::decode(&bad).is_none());
        }
        assert_eq!(t, small);
    }
}
