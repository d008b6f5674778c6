//! Group commit on SQLite: the writes that queue while one transaction
//! runs are committed together, in one transaction, each in a savepoint of
//! its own.
//!
//! A writer puts its work in the queue, then waits for the writers' turn.
//! Whoever gets the turn takes every piece of work queued so far (its own
//! and the ones that arrived meanwhile), runs them one after the other in
//! one `BEGIN IMMEDIATE` transaction, commits, then hands each writer its
//! result. A writer whose work another one ran finds, when its turn comes,
//! the result waiting. Nothing waits on a timer: under load, batches form
//! from the writes that arrive while the previous batch commits; alone, a
//! write is committed at once, as before.
//!
//! Each piece of work runs in a savepoint: one that fails is rolled back
//! alone and its writer gets its error, the others are committed. Every
//! writer is answered only after the commit, so what it was told is
//! durable. If the commit fails, the whole batch runs again (up to the
//! same number of attempts as a single write), then every writer gets the
//! error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};

use diesel::Connection;

use super::{DbConn, Pool, WRITE_ATTEMPTS, checkout, retry_pause, write_transaction};
use crate::error::{AppError, Contention};

/// What a writer is told once the batch's commit is known.
type Deliver = Box<dyn FnOnce(Result<(), &AppError>) + Send>;

/// One writer's work, runnable again if its batch is.
struct Job {
    run: Box<dyn FnMut(&mut DbConn) -> Deliver + Send>,
    fail: Box<dyn FnOnce(&AppError) + Send>,
}

#[derive(Default)]
pub struct Group {
    queue: Mutex<Vec<Job>>,
    turn: Mutex<()>,
    /// Transactions committed, and the writes they held (`/metrics`).
    commits: AtomicU64,
    writes: AtomicU64,
}

fn copy(err: &AppError) -> AppError {
    if err.is_contention() {
        AppError::Busy
    } else {
        AppError::internal(err.to_string())
    }
}

impl Group {
    /// Runs `work` in a transaction, with whatever other writes queue
    /// meanwhile; returns its result once committed. Blocks: call it on
    /// the blocking pool.
    pub fn write<T, E, F>(&self, pool: &Pool, waiting: &super::AtomicI64, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Clone + Send + 'static,
        E: From<AppError> + From<diesel::result::Error> + Send + 'static,
        T: Send + 'static,
    {
        let (sender, receiver) = sync_channel::<Result<T, E>>(1);
        let failed: SyncSender<Result<T, E>> = sender.clone();
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Job {
                run: Box::new(move |conn| {
                    let outcome = conn.transaction(work.clone());
                    let sender = sender.clone();
                    Box::new(move |committed| {
                        let _ = sender.send(match committed {
                            Ok(()) => outcome,
                            Err(err) => Err(E::from(copy(err))),
                        });
                    })
                }),
                fail: Box::new(move |err| {
                    let _ = failed.send(Err(E::from(copy(err))));
                }),
            });
        {
            let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
            let batch =
                std::mem::take(&mut *self.queue.lock().unwrap_or_else(PoisonError::into_inner));
            if !batch.is_empty() {
                let size = batch.len() as u64;
                if commit(pool, waiting, batch) {
                    self.commits.fetch_add(1, Ordering::Relaxed);
                    self.writes.fetch_add(size, Ordering::Relaxed);
                }
            }
        }
        // Run by this writer or by the one before it: answered either way.
        receiver.recv().unwrap_or_else(|_| {
            Err(E::from(AppError::internal(
                "écriture perdue en cours de lot",
            )))
        })
    }

    /// Transactions committed so far, and the writes they held.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.commits.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }
}

/// Runs the batch in one transaction and tells each writer; whether it
/// was committed.
fn commit(pool: &Pool, waiting: &super::AtomicI64, mut batch: Vec<Job>) -> bool {
    let mut conn = match checkout(pool, waiting) {
        Ok(conn) => conn,
        Err(err) => {
            let err = AppError::from(err);
            batch.into_iter().for_each(|job| (job.fail)(&err));
            return false;
        }
    };
    let mut attempt = 1;
    loop {
        let outcome = write_transaction(&mut conn, |conn| {
            Ok::<_, AppError>(
                batch
                    .iter_mut()
                    .map(|job| (job.run)(conn))
                    .collect::<Vec<_>>(),
            )
        });
        match outcome {
            Ok(delivers) => {
                delivers.into_iter().for_each(|deliver| deliver(Ok(())));
                return true;
            }
            Err(err) if err.is_contention() && attempt < WRITE_ATTEMPTS => {
                std::thread::sleep(retry_pause(attempt));
                attempt += 1;
            }
            Err(err) => {
                batch.into_iter().for_each(|job| (job.fail)(&err));
                return false;
            }
        }
    }
}
