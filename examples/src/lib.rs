//! The example servers' building blocks, as a library so that the
//! end-to-end tests start the same server the `mailserver` binary runs.
//!
//! * [`accounts`]: the users file (argon2 password hashes);
//! * [`store`]: Maildir delivery and the UID list shared by every protocol;
//! * [`smtp`] and [`pop3`]: the session handlers;
//! * [`server`]: configuration, certificates, listeners and start-up.
// This crate is an application: it reads clocks, spawns tasks and opens
// sockets, which the protocol crates may not (clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod accounts;
pub mod pop3;
pub mod server;
pub mod smtp;
pub mod store;
