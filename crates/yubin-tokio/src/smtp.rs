//! yubin-smtp's server session under the driver.

use std::time::Instant;

use bytes::BytesMut;

use yubin_smtp::server::{Event, Session as SmtpSession};

use crate::driver::Session;

impl Session for SmtpSession {
    type Event = Event;

    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        SmtpSession::receive(self, now, bytes)
    }
    fn receive_buf(&mut self, now: Instant, buf: &mut BytesMut) -> usize {
        SmtpSession::receive_buf(self, now, buf)
    }
    fn next_event(&mut self) -> Option<Event> {
        SmtpSession::next_event(self)
    }
    fn outgoing(&self) -> &[u8] {
        SmtpSession::outgoing(self)
    }
    fn sent(&mut self, n: usize) {
        SmtpSession::sent(self, n);
    }
    fn deadline(&self) -> Option<Instant> {
        SmtpSession::deadline(self)
    }
    fn timeout(&mut self, now: Instant) {
        SmtpSession::timeout(self, now);
    }
    fn shutdown(&mut self, _now: Instant) {
        SmtpSession::shutdown(self);
    }
    fn is_closed(&self) -> bool {
        SmtpSession::is_closed(self)
    }
    fn is_tls_signal(event: &Event) -> bool {
        matches!(event, Event::StartTls)
    }
    fn tls_established(&mut self) {
        SmtpSession::tls_established(self);
    }
}

/// The reply sent to a connection refused for a connection limit.
pub const SMTP_BUSY: &[u8] = b"421 4.7.0 Too many connections, try again later\r\n";
