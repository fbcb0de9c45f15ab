//! Errors: failures only (bad input, I/O, invalid options, numerical breakdown).
//! Infeasible or unbounded models are answers, reported as a [`crate::result::Status`].

use std::path::Path;

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or value the user gave is malformed: names the file, the place and the problem.
    #[error("{file}: {place}: {problem}")]
    Input {
        /// The file (or "command line") where the problem is.
        file: String,
        /// Where in the file: a line, a node, a field.
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An option or combination of options is invalid.
    #[error("invalid option: {0}")]
    Options(String),
    /// A feature the user asked for is not available (yet).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The numerics broke down in a way no answer can be given for.
    #[error("numerical breakdown: {0}")]
    Numerical(String),
}

impl Error {
    /// A bad-input error naming the file, the place and the problem.
    pub fn input(file: impl AsRef<Path>, place: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Input {
            file: file.as_ref().display().to_string(),
            place: place.into(),
            problem: problem.into(),
        }
    }

    /// An I/O error on a path.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// True when the user's input or usage is at fault (exit code 2), false for internal failures (exit code 1).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Numerical(_))
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Reads a whole file as text, mapping failures to [`Error::Io`].
pub fn read_text(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}
