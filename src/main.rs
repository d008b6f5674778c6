//! The `clu` command line: parse, then call the library.

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
}

fn main() -> ExitCode {
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
        domain::users::create_admin(conn, now, &email, hash)
    })
    .map_err(|e| e.to_string())?;
    println!("Administrateur créé : {} ({})", user.email, user.id);
    Ok(())
}
