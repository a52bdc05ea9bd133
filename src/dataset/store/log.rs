//! The on-disk log: one file of framed records.
//!
//! ```text
//! file    = MAGIC record*
//! record  = len:u32le crc:u32le payload[len]      crc = CRC-32 of payload
//! payload = 1 ds:u32 offset:u64 hash:u128 deleted:u8 idlen:u32 id body   a version (body = wire JSON)
//!         | 2 keylen:u32 key value                                        pipe state (value = wire JSON)
//!         | 3 seq:u64                                                     commit marker
//!         | 4 ds:u32 name                                                 dataset created
//!         | 5 ds:u32 flag:u8                                              populated flag
//!         | 6 ds:u32                                                      dataset deleted
//!         | 7 ds:u32 offset:u64*                                          versions compacted away
//! ```
//!
//! Records between two commit markers form one atomic group: on open, a group
//! is applied only when its commit marker is intact, and anything after the last
//! intact marker (a torn or uncommitted tail) is cut off.

use crate::value::{wire, Str, Value};

use super::hash::crc32;

/// The first bytes of a store log.
pub const MAGIC: &[u8; 8] = b"DTLSTOR1";

/// Bytes of the frame before the payload.
pub const FRAME: usize = 8;

/// Upper bound on one record (a sanity check when reading a possibly torn length).
pub const MAX_RECORD: usize = 1 << 30;

/// A decoded record.
#[derive(Debug)]
pub enum Record {
    Version { ds: u32, offset: u64, hash: u128, deleted: bool, id: Str, body: u32 },
    State { key: String, value: Value },
    Commit,
    Dataset { ds: u32, name: String },
    Populated { ds: u32, flag: bool },
    Drop { ds: u32 },
    Forget { ds: u32, offsets: Vec<u64> },
}

/// Appends a framed record whose payload `fill` writes; returns the record's start.
fn frame(out: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; FRAME]);
    fill(out);
    let len = (out.len() - start - FRAME) as u32;
    let crc = crc32(&out[start + FRAME..]);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    start
}

/// Appends a version record; returns (record start, body start within the record).
pub fn put_version(
    out: &mut Vec<u8>,
    ds: u32,
    offset: u64,
    hash: u128,
    deleted: bool,
    id: &str,
    entity: &Value,
) -> (usize, u32) {
    let body = (FRAME + 1 + 4 + 8 + 16 + 1 + 4 + id.len()) as u32;
    let start = frame(out, |o| {
        o.push(1);
        o.extend_from_slice(&ds.to_le_bytes());
        o.extend_from_slice(&offset.to_le_bytes());
        o.extend_from_slice(&hash.to_le_bytes());
        o.push(deleted as u8);
        o.extend_from_slice(&(id.len() as u32).to_le_bytes());
        o.extend_from_slice(id.as_bytes());
        wire::write(entity, o);
    });
    (start, body)
}

pub fn put_state(out: &mut Vec<u8>, key: &str, value: &Value) {
    frame(out, |o| {
        o.push(2);
        o.extend_from_slice(&(key.len() as u32).to_le_bytes());
        o.extend_from_slice(key.as_bytes());
        wire::write(value, o);
    });
}

pub fn put_commit(out: &mut Vec<u8>, seq: u64) {
    frame(out, |o| {
        o.push(3);
        o.extend_from_slice(&seq.to_le_bytes());
    });
}

pub fn put_dataset(out: &mut Vec<u8>, ds: u32, name: &str) {
    frame(out, |o| {
        o.push(4);
        o.extend_from_slice(&ds.to_le_bytes());
        o.extend_from_slice(name.as_bytes());
    });
}

pub fn put_populated(out: &mut Vec<u8>, ds: u32, flag: bool) {
    frame(out, |o| {
        o.push(5);
        o.extend_from_slice(&ds.to_le_bytes());
        o.push(flag as u8);
    });
}

pub fn put_drop(out: &mut Vec<u8>, ds: u32) {
    frame(out, |o| {
        o.push(6);
        o.extend_from_slice(&ds.to_le_bytes());
    });
}

/// Appends records saying that versions `offsets` of dataset `ds` were compacted
/// away (several records when the list is long, so no record gets huge).
pub fn put_forget(out: &mut Vec<u8>, ds: u32, offsets: &[u64]) {
    for chunk in offsets.chunks(1 << 16) {
        frame(out, |o| {
            o.push(7);
            o.extend_from_slice(&ds.to_le_bytes());
            for offset in chunk {
                o.extend_from_slice(&offset.to_le_bytes());
            }
        });
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.i..self.i.checked_add(n)?)?;
        self.i += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|s| u32::from_le_bytes(s.try_into().unwrap()))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|s| u64::from_le_bytes(s.try_into().unwrap()))
    }
    fn u128(&mut self) -> Option<u128> {
        self.take(16).map(|s| u128::from_le_bytes(s.try_into().unwrap()))
    }
    fn text(&mut self, n: usize) -> Option<&str> {
        self.take(n).and_then(|s| std::str::from_utf8(s).ok())
    }
    fn rest(&mut self) -> &[u8] {
        let s = &self.b[self.i.min(self.b.len())..];
        self.i = self.b.len();
        s
    }
}

/// Decodes a payload whose CRC has been checked; `None` when it is malformed.
pub fn decode(payload: &[u8]) -> Option<Record> {
    let mut c = Cursor { b: payload, i: 0 };
    Some(match c.u8()? {
        1 => {
            let ds = c.u32()?;
            let offset = c.u64()?;
            let hash = c.u128()?;
            let deleted = c.u8()? != 0;
            let n = c.u32()? as usize;
            let id = Str::from(c.text(n)?);
            let body = (FRAME + c.i) as u32;
            Record::Version { ds, offset, hash, deleted, id, body }
        }
        2 => {
            let n = c.u32()? as usize;
            let key = c.text(n)?.to_string();
            let value = wire::parse(c.rest()).ok()?;
            Record::State { key, value }
        }
        3 => {
            c.u64()?;
            Record::Commit
        }
        4 => {
            let ds = c.u32()?;
            let name = std::str::from_utf8(c.rest()).ok()?.to_string();
            Record::Dataset { ds, name }
        }
        5 => Record::Populated { ds: c.u32()?, flag: c.u8()? != 0 },
        6 => Record::Drop { ds: c.u32()? },
        7 => {
            let ds = c.u32()?;
            let rest = c.rest();
            if !rest.len().is_multiple_of(8) {
                return None;
            }
            let offsets = rest.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap())).collect();
            Record::Forget { ds, offsets }
        }
        _ => return None,
    })
}

/// Splits `bytes` (a log without its magic, starting at file position `base`)
/// into records; calls `visit(record_start, len, record)` for each intact record and
/// returns the position just after the last intact record.
pub fn scan(bytes: &[u8], base: u64, visit: &mut dyn FnMut(u64, u32, Record)) -> u64 {
    let mut i = 0usize;
    while i + FRAME <= bytes.len() {
        let len = u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(bytes[i + 4..i + 8].try_into().unwrap());
        if len > MAX_RECORD || i + FRAME + len > bytes.len() {
            break;
        }
        let payload = &bytes[i + FRAME..i + FRAME + len];
        if crc32(payload) != crc {
            break;
        }
        let Some(record) = decode(payload) else { break };
        visit(base + i as u64, len as u32, record);
        i += FRAME + len;
    }
    base + i as u64
}
