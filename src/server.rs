//! Running the HTTP server: migrations first, then the outbox worker, the
//! mailbox reader (when a mailbox is set) and the server until SIGTERM or Ctrl-C, letting requests in flight finish.

use actix_web::HttpServer;

use crate::{AppState, build_app};

pub async fn serve(state: AppState) -> std::io::Result<()> {
    let bind = state.settings.bind;
    let applied = state.migrate().map_err(std::io::Error::other)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    tracing::info!(%bind, database = state.db.backend(), "clu listening");
    let worker = crate::worker::Worker::new(state.clone()).map_err(std::io::Error::other)?;
    actix_web::rt::spawn(worker.run());
    if let Some(inbox) = crate::worker::inbox::Inbox::new(state.clone()) {
        actix_web::rt::spawn(inbox.run());
    }
    // Blocking work is database work, each task holding a connection: more
    // threads than connections would only queue on the pool.
    let blocking_threads = usize::try_from(state.settings.database_pool_size)
        .unwrap_or(8)
        .max(2);
    if let Some(address) = state.settings.metrics_bind {
        let metrics_state = actix_web::web::Data::new(state.clone());
        let metrics = HttpServer::new(move || {
            actix_web::App::new()
                .app_data(metrics_state.clone())
                .route("/metrics", actix_web::web::get().to(crate::metrics::scrape))
        })
        .workers(1)
        .bind(address)?
        .run();
        tracing::info!(%address, "metrics listening");
        actix_web::rt::spawn(metrics);
    }
    HttpServer::new(move || build_app(state.clone()))
        .worker_max_blocking_threads(blocking_threads)
        .bind(bind)?
        .shutdown_timeout(30)
        .run()
        .await?;
    tracing::info!("clu stopped");
    Ok(())
}
