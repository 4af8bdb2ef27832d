//! The errors of the run store: every message names the store file and, where it helps, what to
//! do next.

use std::path::PathBuf;

/// Errors of the run store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or created (missing directory, permissions, …).
    #[error("cannot open the run store {path}: {source}")]
    Open {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// `open_existing` was asked for a file that does not exist.
    #[error(
        "the run store {path} does not exist: no run has been saved there yet (run `leverage simulate` first)"
    )]
    Missing {
        /// The store file.
        path: PathBuf,
    },
    /// The file exists but is not a leverage run store; it was left untouched.
    #[error("{path} is not a leverage run store: {reason}; the file was left untouched")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// Why it was not recognised.
        reason: String,
    },
    /// The store was written by a newer program with a schema this one does not know.
    #[error(
        "the run store {path} has schema version {found}, newer than the version {supported} this program knows; use a newer leverage to read it"
    )]
    NewerSchema {
        /// The store file.
        path: PathBuf,
        /// The schema version in the file.
        found: i64,
        /// The newest schema version this program knows.
        supported: i64,
    },
    /// No run with this id.
    #[error("no run with id {id} in the run store {path} (see `leverage runs list`)")]
    NoSuchRun {
        /// The store file.
        path: PathBuf,
        /// The id asked for.
        id: i64,
    },
    /// `latest` was asked of a store without runs.
    #[error(
        "the run store {path} holds no run yet, so there is no latest run (run `leverage simulate` first)"
    )]
    NoRuns {
        /// The store file.
        path: PathBuf,
    },
    /// A run reference that is neither an id nor `latest`.
    #[error("invalid run reference {0:?}: expected a run id (a positive integer) or `latest`")]
    BadRunRef(String),
    /// The run metadata is inconsistent.
    #[error("invalid run metadata: {0}")]
    BadMeta(String),
    /// A draw's values do not match the names declared for the run.
    #[error(
        "draw {draw}: {got} values given, but the run declares {expected} value names ({names})"
    )]
    DrawShape {
        /// The draw index.
        draw: u64,
        /// The number of values declared.
        expected: usize,
        /// The number given.
        got: usize,
        /// The declared names, comma-separated.
        names: String,
    },
    /// A draw's scenario index is outside the run's scenario list.
    #[error(
        "draw {draw}: scenario index {index} is out of range: the run declares {count} scenarios"
    )]
    ScenarioIndex {
        /// The draw index.
        draw: u64,
        /// The index given.
        index: u32,
        /// The number of scenarios declared.
        count: usize,
    },
    /// A draw index above [`crate::MAX_DRAW_INDEX`].
    #[error("draw index {draw} is too large: the store keeps draw indices up to 2^40 − 1")]
    DrawIndex {
        /// The draw index.
        draw: u64,
    },
    /// The store holds the largest number of runs its keys allow.
    #[error(
        "the run store {path} is full: it holds runs up to id 2^23 − 1; start a new store file"
    )]
    Full {
        /// The store file.
        path: PathBuf,
    },
    /// The same draw index was pushed twice in one run.
    #[error("draw {draw} was pushed twice in the same run")]
    DuplicateDraw {
        /// The draw index.
        draw: u64,
    },
    /// Another process holds the store's write lock for longer than the busy timeout.
    #[error(
        "the run store {path} is busy: another process is saving a run into it; try again when it has finished"
    )]
    Busy {
        /// The store file.
        path: PathBuf,
    },
    /// A stored value could not be decoded.
    #[error("the run store {path} is damaged: {what}")]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What could not be read.
        what: String,
    },
    /// The temporary file that holds a computed run's draws until the save failed.
    #[error("the temporary file holding the run's draws: {0}")]
    Spool(#[from] std::io::Error),
    /// Any other SQLite error.
    #[error("run store {path}: {source}")]
    Sqlite {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
}

/// The result type of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Classifies an SQLite error met while working on the store at `path`.
    pub(crate) fn sql(path: &std::path::Path, source: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy {
                path: path.to_path_buf(),
            },
            Some(ErrorCode::NotADatabase) => StoreError::NotAStore {
                path: path.to_path_buf(),
                reason: "it is not an SQLite database".into(),
            },
            _ => StoreError::Sqlite {
                path: path.to_path_buf(),
                source,
            },
        }
    }
}
