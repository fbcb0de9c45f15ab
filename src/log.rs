//! The progress log: plain lines and a fixed-column table printed to a sink (standard output or error, a
//! file, an in-memory buffer for tests), with a timeless mode that leaves times out so logs compare equal.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An in-memory sink: what tests read the log from.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// The text written so far.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Sink = Arc<Mutex<Box<dyn Write + Send>>>;

/// One row of the progress table.
#[derive(Debug, Clone, Default)]
pub struct ProgressRow {
    /// Where a new incumbent came from (a heuristic's letter, `B` for branching), blank for a timed line.
    pub source: Option<char>,
    /// Nodes explored.
    pub explored: u64,
    /// Nodes open.
    pub open: usize,
    /// The incumbent's objective (user's sense).
    pub incumbent: Option<f64>,
    /// The best bound (user's sense).
    pub bound: f64,
    /// The relative gap, if defined.
    pub gap: Option<f64>,
    /// LP iterations per explored node.
    pub iterations_per_node: f64,
    /// Seconds since the start.
    pub time_s: f64,
}

/// A log printed to zero or more sinks; cheap to clone (the clones share the sinks).
#[derive(Clone)]
pub struct Log {
    sinks: Vec<Sink>,
    timeless: bool,
    start: Instant,
    rows: Arc<Mutex<u64>>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Log({} sinks, timeless: {})", self.sinks.len(), self.timeless)
    }
}

impl Default for Log {
    fn default() -> Self {
        Log::quiet()
    }
}

impl Log {
    /// A log that prints nothing.
    pub fn quiet() -> Self {
        Log {
            sinks: Vec::new(),
            timeless: false,
            start: Instant::now(),
            rows: Arc::new(Mutex::new(0)),
        }
    }

    /// A log to standard output.
    pub fn stdout() -> Self {
        Log::quiet().with_sink(Box::new(std::io::stdout()))
    }

    /// A log to standard error.
    pub fn stderr() -> Self {
        Log::quiet().with_sink(Box::new(std::io::stderr()))
    }

    /// A log to a new in-memory buffer, returned beside it.
    pub fn buffer() -> (Self, LogBuffer) {
        let buf = LogBuffer::default();
        (Log::quiet().with_sink(Box::new(buf.clone())), buf)
    }

    /// Adds a sink.
    pub fn with_sink(mut self, sink: Box<dyn Write + Send>) -> Self {
        self.sinks.push(Arc::new(Mutex::new(sink)));
        self
    }

    /// Leaves times out of every line (for comparing logs).
    pub fn timeless(mut self, timeless: bool) -> Self {
        self.timeless = timeless;
        self
    }

    /// Whether times are left out.
    pub fn is_timeless(&self) -> bool {
        self.timeless
    }

    /// Whether anything is printed at all.
    pub fn is_active(&self) -> bool {
        !self.sinks.is_empty()
    }

    /// Seconds since the log was created.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Prints one line.
    pub fn line(&self, text: &str) {
        for s in &self.sinks {
            if let Ok(mut w) = s.lock() {
                let _ = writeln!(w, "{text}");
                let _ = w.flush();
            }
        }
    }

    /// A time as printed: `"1.23s"`, or `"-"` in timeless mode.
    pub fn time(&self, seconds: f64) -> String {
        if self.timeless {
            "-".to_string()
        } else {
            format!("{seconds:.2}s")
        }
    }

    /// Prints one row of the progress table (with the header before the first and every 20th row).
    pub fn progress(&self, row: &ProgressRow) {
        if !self.is_active() {
            return;
        }
        let n = self.rows.lock().map(|mut r| {
            *r += 1;
            *r
        });
        if n.map(|n| n % 20 == 1).unwrap_or(false) {
            self.line(&format!(
                "{:1} {:>9} {:>9} {:>14} {:>14} {:>9} {:>8} {:>9}",
                "", "Explored", "Open", "Incumbent", "BestBound", "Gap", "It/Node", "Time"
            ));
        }
        let inc = row.incumbent.map(fmt_value).unwrap_or_else(|| "-".into());
        let gap = row
            .gap
            .map(|g| format!("{:.2}%", 100.0 * g))
            .unwrap_or_else(|| "-".into());
        let time = if self.timeless {
            "-".into()
        } else {
            format!("{:.1}s", row.time_s)
        };
        self.line(&format!(
            "{:1} {:>9} {:>9} {:>14} {:>14} {:>9} {:>8.1} {:>9}",
            row.source.unwrap_or(' '),
            row.explored,
            row.open,
            inc,
            fmt_value(row.bound),
            gap,
            row.iterations_per_node,
            time
        ));
    }
}

/// A value as the log prints it: 8 significant digits, `inf`/`-inf` spelled out.
pub fn fmt_value(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v != 0.0 && (v.abs() >= 1e7 || v.abs() < 1e-4) {
        format!("{v:.6e}")
    } else {
        format!("{v:.8}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}
