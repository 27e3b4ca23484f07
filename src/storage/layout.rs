//! Which files each engine keeps in a database directory: what `detect` and `creation`
//! need to know about an engine without opening it, so they work even in a build
//! without that engine (its cargo feature off) and can name the engine a directory needs.

/// redb keeps one file.
pub(crate) mod redb {
    /// The file inside the database directory.
    pub(crate) const FILE_NAME: &str = "annals.redb";

    /// The staging names of a database file being created (see `creation.rs`).
    #[cfg_attr(not(feature = "redb"), allow(dead_code))]
    pub(crate) const CREATING_PREFIX: &str = "annals.redb.creating-";
}

/// sled keeps `conf`, `db`, `snap.*` and `blobs/`.
pub(crate) mod sled {
    use std::path::Path;

    /// The staging names of sled databases being created inside a database directory
    /// (see `creation.rs`).
    pub(crate) const CREATING_PREFIX: &str = ".annals-creating-";

    /// Whether `path` holds a sled database. `db` is the last file a creation puts in place.
    pub(crate) fn holds_database(path: &Path) -> bool {
        path.join("db").exists()
    }

    /// Whether `name` is one of sled's files that a creation puts in place before `db`:
    /// what an interrupted publish leaves beside the creation lock.
    pub(crate) fn is_published_before_db(name: &std::ffi::OsStr) -> bool {
        name.to_str()
            .is_some_and(|n| n == "conf" || n == "blobs" || n.starts_with("snap."))
    }
}
