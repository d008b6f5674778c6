//! `clu backup` and `clu restore`. SQLite: a consistent copy taken while
//! the server serves and writes (`VACUUM INTO`, inside one read
//! transaction: the copy is the database as of its start), checked, and a
//! restore into an empty database from a copy that is checked first.
//! PostgreSQL has its own tools: `pg_dump` makes the copy, which `clu
//! restore` checks and hands to `pg_restore`.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::config::DatabaseTarget;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn sqlite(path: &Path) -> Result<SqliteConnection, String> {
    let mut conn = SqliteConnection::establish(&path.display().to_string())
        .map_err(|e| format!("{} : {e}", path.display()))?;
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// An SQLite file that is sound and holds a clu database: its number of
/// applied migrations.
fn check_sqlite(path: &Path) -> Result<i64, String> {
    let mut conn = sqlite(path)?;
    let verdict: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(&mut conn)
            .map_err(|e| format!("{} n'est pas une base SQLite lisible : {e}", path.display()))?;
    if verdict.len() != 1 || verdict[0].line != "ok" {
        return Err(format!(
            "{} est abîmée : {}",
            path.display(),
            verdict.first().map_or("", |l| l.line.as_str())
        ));
    }
    migrations(&mut conn).ok_or_else(|| format!("{} ne contient pas de base clu", path.display()))
}

fn migrations(conn: &mut SqliteConnection) -> Option<i64> {
    diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(conn)
        .ok()
        .map(|c| c.n)
}

/// Copies the database to `file`, which must not exist yet. Returns what
/// to tell the operator.
pub fn backup(target: &DatabaseTarget, file: &Path) -> Result<String, String> {
    let DatabaseTarget::Sqlite(database) = target else {
        return Err(format!(
            "la base est PostgreSQL : sauvegardez-la avec pg_dump, par exemple\n  \
             pg_dump --format=custom --file={} \"$CLU_DATABASE_URL\"\n\
             puis vérifiez et restaurez la copie avec `clu restore {}` dans une base vide",
            file.display(),
            file.display()
        ));
    };
    if file.exists() {
        return Err(format!(
            "{} existe déjà : choisissez un nouveau fichier",
            file.display()
        ));
    }
    let mut conn = sqlite(database)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(file.display().to_string())
        .execute(&mut conn)
        .map_err(|e| format!("copie impossible vers {} : {e}", file.display()))?;
    let applied = check_sqlite(file)?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "Sauvegarde écrite : {} ({size} octets, {applied} migrations, intégrité vérifiée).",
        file.display()
    ))
}

/// Restores `file` into the configured database, which must be empty.
pub fn restore(target: &DatabaseTarget, file: &Path) -> Result<String, String> {
    match target {
        DatabaseTarget::Sqlite(database) => {
            let applied = check_sqlite(file)?;
            if database.exists() {
                // Only a file without any table may be replaced.
                let tables: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master")
                    .get_result(&mut sqlite(database)?)
                    .map_err(|e| format!("{} : {e}", database.display()))?;
                if tables.n > 0 {
                    return Err(format!(
                        "{} contient déjà des données : restaurez dans une base vide",
                        database.display()
                    ));
                }
                std::fs::remove_file(database).map_err(|e| e.to_string())?;
            }
            if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            let mut conn = sqlite(file)?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(database.display().to_string())
                .execute(&mut conn)
                .map_err(|e| format!("restauration impossible : {e}"))?;
            Ok(format!(
                "Base restaurée dans {} ({applied} migrations) ; `clu serve` applique les suivantes au démarrage.",
                database.display()
            ))
        }
        DatabaseTarget::Postgres(url) => {
            let header = std::fs::read(file).map_err(|e| format!("{} : {e}", file.display()))?;
            if !header.starts_with(b"PGDMP") {
                return Err(format!(
                    "{} n'est pas une copie faite par pg_dump --format=custom",
                    file.display()
                ));
            }
            let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
            let tables: Count = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = '__diesel_schema_migrations' AND table_schema = current_schema()",
            )
            .get_result(&mut conn)
            .map_err(|e| e.to_string())?;
            if tables.n > 0 {
                return Err(
                    "la base PostgreSQL contient déjà une base clu : restaurez dans une base vide"
                        .into(),
                );
            }
            let status = Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname", url])
                .arg(file)
                .status()
                .map_err(|e| format!("pg_restore introuvable : {e}"))?;
            if !status.success() {
                return Err(format!("pg_restore a échoué ({status})"));
            }
            Ok("Base PostgreSQL restaurée.".into())
        }
    }
}
