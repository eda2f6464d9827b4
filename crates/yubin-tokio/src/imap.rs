//! yubin-imap's server session under the driver.

use std::time::Instant;

use yubin_imap::server::{Event, Session as ImapSession};

use crate::driver::Session;

impl Session for ImapSession {
    type Event = Event;

    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        ImapSession::receive(self, now, bytes)
    }
    fn next_event(&mut self) -> Option<Event> {
        ImapSession::next_event(self)
    }
    fn outgoing(&self) -> &[u8] {
        ImapSession::outgoing(self)
    }
    fn sent(&mut self, n: usize) {
        ImapSession::sent(self, n);
    }
    fn deadline(&self) -> Option<Instant> {
        ImapSession::deadline(self)
    }
    fn timeout(&mut self, now: Instant) {
        ImapSession::timeout(self, now);
    }
    fn shutdown(&mut self, _now: Instant) {
        self.bye("Server shutting down");
    }
    fn is_closed(&self) -> bool {
        ImapSession::is_closed(self)
    }
    fn is_tls_signal(event: &Event) -> bool {
        matches!(event, Event::StartTls)
    }
    fn tls_established(&mut self) {
        // Called only after the session's own StartTls event.
        if let Err(e) = ImapSession::tls_established(self) {
            tracing::warn!(error = %e, "imap: TLS established without a pending STARTTLS");
        }
    }
}

/// The greeting sent to a connection refused for a connection limit.
pub const IMAP_BUSY: &[u8] = b"* BYE [UNAVAILABLE] Too many connections, try again later\r\n";
