//! Graceful shutdown: stop accepting, let sessions finish within a grace
//! period, then tell the rest to say farewell.

use std::time::Duration;

use tokio::sync::watch;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Running,
    Draining,
    Closing,
}

/// The owner's side: trigger a shutdown.
#[derive(Debug)]
pub struct ShutdownTrigger {
    tx: watch::Sender<Phase>,
}

/// The listeners' and sessions' side: a cheap, cloneable signal.
#[derive(Clone, Debug)]
pub struct Shutdown {
    rx: watch::Receiver<Phase>,
}

impl ShutdownTrigger {
    /// A new trigger and the signal it controls.
    pub fn new() -> (Self, Shutdown) {
        let (tx, rx) = watch::channel(Phase::Running);
        (Self { tx }, Shutdown { rx })
    }

    /// Stops the listeners now; sessions keep running for `grace`, then each
    /// one still open gets its farewell (SMTP 421, POP3 -ERR, IMAP BYE).
    pub async fn shutdown(&self, grace: Duration) {
        let _ = self.tx.send(Phase::Draining);
        tracing::info!(
            grace_secs = grace.as_secs_f64(),
            "shutting down: no new connections"
        );
        tokio::time::sleep(grace).await;
        let _ = self.tx.send(Phase::Closing);
    }

    /// Skips the grace period.
    pub fn close_now(&self) {
        let _ = self.tx.send(Phase::Closing);
    }
}

impl Shutdown {
    /// A signal that never fires (tests, single connections).
    pub fn never() -> Self {
        // With the sender dropped, `changed()` fails and the waits below
        // pend forever: the signal never fires.
        let (_tx, rx) = watch::channel(Phase::Running);
        Self { rx }
    }

    async fn reached(&mut self, phase: Phase) {
        loop {
            if *self.rx.borrow_and_update() >= phase {
                return;
            }
            if self.rx.changed().await.is_err() {
                // The trigger is gone: treat it as never firing.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Resolves when the listeners must stop accepting.
    pub async fn draining(&mut self) {
        self.reached(Phase::Draining).await;
    }

    /// Resolves when open sessions must say farewell.
    pub async fn closing(&mut self) {
        self.reached(Phase::Closing).await;
    }

    /// True once the shutdown has begun.
    pub fn is_draining(&self) -> bool {
        *self.rx.borrow() >= Phase::Draining
    }
}
