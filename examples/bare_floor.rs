//! The benchmark's floor: read NDJSON, parse each line into a value and write it
//! back, with no transform and no threads. `dtl run` of an identity program is
//! measured against this.
//!
//! Usage: `bare_floor [FILE]` (stdin when no file is given); NDJSON on stdout.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};

// The same allocator as the `dtl` binary, so the floor measures the same work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::io::Result<()> {
    let input: Box<dyn Read> = match std::env::args().nth(1) {
        Some(path) => Box::new(std::fs::File::open(path)?),
        None => Box::new(std::io::stdin()),
    };
    let reader = BufReader::with_capacity(1 << 20, input);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut buf = Vec::with_capacity(4096);
    for line in reader.split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value =
            dtl::value::wire::parse(&line).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        buf.clear();
        dtl::value::wire::write(&value, &mut buf);
        buf.push(b'\n');
        out.write_all(&buf)?;
    }
    out.flush()
}
