//! Migrations per backend, embedded in the binary and applied idempotently.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies the migrations not yet applied; returns their names.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(names),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES).map(names),
    };
    applied.map_err(|e| format!("échec des migrations : {e}"))
}

/// Reverts the last migration applied (its `down.sql`); returns its name.
/// For an operator going back one release, and for the migrations' tests.
pub fn revert_last(conn: &mut DbConn) -> Result<String, String> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE),
        DbConn::Pg(c) => c.revert_last_migration(POSTGRES),
    };
    reverted
        .map(|version| version.to_string())
        .map_err(|e| format!("échec du retour en arrière : {e}"))
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn folder_names(backend: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(dir)
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = folder_names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, folder_names("postgres"));
    }
}
