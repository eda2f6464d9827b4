//! yubin-pop3's server session under the driver.

use std::time::Instant;

use yubin_pop3::server::{Event, Session as Pop3Session};

use crate::driver::Session;

impl Session for Pop3Session {
    type Event = Event;

    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        Pop3Session::receive(self, now, bytes)
    }
    fn next_event(&mut self) -> Option<Event> {
        Pop3Session::next_event(self)
    }
    fn outgoing(&self) -> &[u8] {
        Pop3Session::outgoing(self)
    }
    fn sent(&mut self, n: usize) {
        Pop3Session::sent(self, n);
    }
    fn deadline(&self) -> Option<Instant> {
        Pop3Session::deadline(self)
    }
    fn timeout(&mut self, now: Instant) {
        Pop3Session::timeout(self, now);
    }
    fn shutdown(&mut self, _now: Instant) {
        Pop3Session::shutdown(self);
    }
    fn is_closed(&self) -> bool {
        Pop3Session::is_closed(self)
    }
    fn is_tls_signal(event: &Event) -> bool {
        matches!(event, Event::StartTls)
    }
    fn tls_established(&mut self) {
        // The driver calls this only after the session's own StartTls
        // event, so the session is waiting for it; an error would mean a
        // driver bug, and the session then simply stays as it was.
        if let Err(e) = Pop3Session::tls_established(self) {
            tracing::warn!(error = %e, "pop3: TLS established without a pending STLS");
        }
    }
}

/// The reply sent to a connection refused for a connection limit.
pub const POP3_BUSY: &[u8] = b"-ERR [SYS/TEMP] too many connections, try again later\r\n";
