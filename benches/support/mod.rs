//! What the load benchmark and the robustness suite share: a `clu serve`
//! process of their own, an HTTP client, and the data they seed through the
//! API.

#![allow(dead_code)]

pub mod api;
pub mod seed;
pub mod server;

/// Whether `--short` was given: the CI version, seconds instead of minutes.
pub fn short_run() -> bool {
    std::env::args().any(|a| a == "--short")
}

/// The value of `--NAME VALUE` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let flag = format!("--{name}");
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| *a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}
