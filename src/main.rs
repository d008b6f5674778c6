//! The `clu` command line: parse, then call the library.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use clu::clock::Clock;
use clu::config::Settings;
use clu::domain::validate::Check;
use clu::{AppState, auth::password, db, domain};

#[derive(Parser)]
#[command(name = "clu", version, about = "Comités Locaux des Usagers")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Applies migrations and serves the API (the default).
    Serve,
    /// Applies pending migrations and exits.
    Migrate,
    /// Creates an administrator; the password is read from standard input
    /// or from CLU_ADMIN_PASSWORD.
    CreateAdmin {
        #[arg(long)]
        email: String,
    },
    /// Loads the Haute-Marne meeting of 20 December 2023, signed, and
    /// prints where to look.
    Demo,
    /// Writes a consistent copy of the SQLite database to FILE while the
    /// server runs (for PostgreSQL: says how to use pg_dump).
    Backup { file: std::path::PathBuf },
    /// Restores FILE (an SQLite copy, or a pg_dump custom-format dump for
    /// PostgreSQL), checked first, into the configured empty database.
    Restore { file: std::path::PathBuf },
}

/// glibc raises its mmap threshold to the size of the largest block freed,
/// so that after one Argon2 hash (19 MiB) every later one comes from a
/// thread's arena and stays resident when freed. A fixed threshold keeps
/// big buffers (password hashing, PDFs, imports) in their own mappings,
/// returned to the system when freed; fewer arenas fragment less.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; called once, before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("clu : {err}");
            return ExitCode::FAILURE;
        }
    };
    clu::telemetry::init(&settings.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(settings),
        Command::CreateAdmin { email } => create_admin(settings, &email),
        Command::Demo => demo(settings),
        Command::Backup { file } => copy(&settings, &file, clu::db::backup::backup),
        Command::Restore { file } => copy(&settings, &file, clu::db::backup::restore),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("clu : {err}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    let state = AppState::new(settings, Clock::system())?;
    actix_web::rt::System::new()
        .block_on(clu::server::serve(state))
        .map_err(|e| e.to_string())
}

fn copy(
    settings: &Settings,
    file: &std::path::Path,
    run: fn(&clu::config::DatabaseTarget, &std::path::Path) -> Result<String, String>,
) -> Result<(), String> {
    let target = settings.database_target().map_err(|e| e.to_string())?;
    println!("{}", run(&target, file)?);
    Ok(())
}

fn migrate(settings: Settings) -> Result<(), String> {
    let state = AppState::new(settings, Clock::system())?;
    let applied = state.migrate()?;
    if applied.is_empty() {
        println!("Base de données à jour : aucune migration à appliquer.");
    } else {
        println!("Migrations appliquées : {}", applied.join(", "));
    }
    Ok(())
}

fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("CLU_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Mot de passe (12 à 128 caractères), puis Entrée et Ctrl-D :");
    }
    let mut input = String::new();
    stdin
        .read_to_string(&mut input)
        .map_err(|e| format!("lecture du mot de passe impossible : {e}"))?;
    Ok(input.trim_end_matches(['\r', '\n']).to_owned())
}

fn create_admin(settings: Settings, email: &str) -> Result<(), String> {
    let password = read_password()?;
    let mut check = Check::new();
    let email = check.email("email", email);
    check.push(password::check_policy("password", &password));
    if let Err(clu::error::AppError::Validation(errors)) = check.finish() {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{} : {}", e.field, e.message))
            .collect();
        return Err(lines.join("\n"));
    }
    let state = AppState::new(settings, Clock::system())?;
    state.migrate()?;
    let hash = password::hash(&password).map_err(|e| e.to_string())?;
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    let now = state.clock.now();
    let user = db::write_transaction(&mut conn, |conn| {
        domain::accounts::users::create_admin(conn, now, &email, hash)
    })
    .map_err(|e| e.to_string())?;
    println!("Administrateur créé : {} ({})", user.email, user.id);
    Ok(())
}

fn demo(settings: Settings) -> Result<(), String> {
    let state = AppState::new(settings, Clock::system())?;
    state.migrate()?;
    let loaded = clu::demo::load(&state).map_err(|e| e.to_string())?;
    let base = &state.settings.public_url;
    let meeting = &loaded.meeting_id;
    println!(
        "Démonstration chargée : Comité Local des Usagers de la Haute-Marne, réunion du mercredi 20 décembre 2023."
    );
    println!();
    println!(
        "Connexion (secrétariat) : {} / {}",
        clu::demo::SECRETARIAT_EMAIL,
        clu::demo::PASSWORD
    );
    println!(
        "Connexion (signataire)  : {} / {}",
        clu::demo::SIGNATORY_EMAIL,
        clu::demo::PASSWORD
    );
    println!();
    println!("Lancez `clu serve`, puis ouvrez dans un navigateur : {base}/");
    println!("(la réunion de démonstration est au tableau de bord, parmi les réunions passées)");
    println!();
    println!("Pour l'API, obtenez un jeton :");
    println!("  curl -s -X POST {base}/api/v1/auth/login -H 'Content-Type: application/json' \\");
    println!(
        "       -d '{{\"email\": \"{}\", \"password\": \"{}\"}}'",
        clu::demo::SECRETARIAT_EMAIL,
        clu::demo::PASSWORD
    );
    println!("puis consultez, avec l'en-tête Authorization: Bearer <jeton> :");
    for format in ["html", "md", "pdf"] {
        println!("  {base}/api/v1/meetings/{meeting}/compte-rendu.{format}");
    }
    println!("  {base}/api/v1/meetings/{meeting}/attendance");
    println!(
        "  {base}/api/v1/committees/{}/report.html?year=2023",
        loaded.committee_id
    );
    println!();
    println!(
        "Vérification du PDF signé (sans compte) : {base}/verify/{}",
        loaded.sha256_pdf
    );
    println!("Référence de l'API : {base}/docs/");
    Ok(())
}
