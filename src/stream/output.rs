//! Where emitted entities go: straight to the writer (NDJSON, as produced) or into
//! a spool that reaches the writer only when the whole run succeeded (a JSON array
//! is never left half-written). The spool keeps memory flat by moving to a
//! temporary file once it grows.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use crate::value::{wire, Value};

/// The output format of `dtl run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON array, written when the run has succeeded.
    #[default]
    JsonArray,
    /// One entity per line, written as produced.
    Ndjson,
}

impl OutputFormat {
    /// Appends one entity to a run of entities gathered for [`EntityWriter::entities`]
    /// (`first` says whether the run is still empty). Serializing straight into one
    /// buffer per run keeps the writer's work to copying bytes.
    pub fn push_entity(self, entity: &Value, run: &mut Vec<u8>, first: bool) {
        if self == OutputFormat::JsonArray && !first {
            run.extend_from_slice(b",\n");
        }
        wire::write(entity, run);
        if self == OutputFormat::Ndjson {
            run.push(b'\n');
        }
    }
}

/// Bytes kept in memory before the spool moves to a temporary file.
const SPOOL_MEMORY_LIMIT: usize = 32 * 1024 * 1024;

/// Collects output until the run is known to have succeeded.
pub struct Spool {
    memory: Vec<u8>,
    file: Option<File>,
}

impl Spool {
    fn new() -> Spool {
        Spool { memory: Vec::new(), file: None }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            return file.write_all(bytes);
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() > SPOOL_MEMORY_LIMIT {
            let mut file = temp_file()?;
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        Ok(())
    }

    fn copy_to(mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.seek(SeekFrom::Start(0))?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n])?;
            }
        }
        out.write_all(&self.memory)
    }
}

/// An anonymous temporary file: removed from the directory as soon as it is open.
fn temp_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("dtl-spool-{}-{n}", std::process::id()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
    // On Unix the open handle keeps the data; elsewhere the file is left for the OS to clean.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

/// Writes entities in the chosen format.
pub struct EntityWriter<'w> {
    out: &'w mut dyn Write,
    spool: Option<Spool>,
    format: OutputFormat,
    count: usize,
}

impl<'w> EntityWriter<'w> {
    /// A writer onto `out`.
    pub fn new(out: &'w mut dyn Write, format: OutputFormat) -> Self {
        let spool = (format == OutputFormat::JsonArray).then(Spool::new);
        EntityWriter { out, spool, format, count: 0 }
    }

    /// Writes a run of `count` entities gathered with [`OutputFormat::push_entity`].
    pub fn entities(&mut self, run: &[u8], count: usize) -> io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        let separator: &[u8] = match (self.format, self.count) {
            (OutputFormat::JsonArray, 0) => b"[\n",
            (OutputFormat::JsonArray, _) => b",\n",
            (OutputFormat::Ndjson, _) => b"",
        };
        self.count += count;
        match &mut self.spool {
            Some(spool) => {
                spool.write(separator)?;
                spool.write(run)
            }
            None => self.out.write_all(run),
        }
    }

    /// How many entities were written.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Completes the output after a successful run.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(mut spool) = self.spool.take() {
            spool.write(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
            spool.copy_to(self.out)?;
        }
        self.out.flush()
    }

    /// Abandons the output after a failed run: nothing spooled is written.
    pub fn abandon(mut self) -> io::Result<()> {
        self.spool = None;
        self.out.flush()
    }
}
