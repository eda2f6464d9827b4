//! The example servers' building blocks, as a library so that the
//! end-to-end tests start the same server the `mailserver` binary runs.
//!
//! * [`accounts`]: the users file (argon2 password hashes);
//! * [`store`]: the `Store` trait, its Maildir and in-memory implementations
//!   and the UIDs shared by every protocol;
//! * [`smtp`], [`pop3`] and [`imap`]: the session handlers;
//! * [`mime`]: the MIME structure IMAP FETCH and SEARCH need;
//! * [`relay`]: the outgoing queue (relaying to routes and a smarthost);
//! * [`config`]: the TOML configuration file;
//! * [`server`]: configuration, certificates, listeners and start-up.
// This crate is an application: it reads clocks, spawns tasks and opens
// sockets, which the protocol crates may not (clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod accounts;
pub mod config;
pub mod imap;
pub mod mime;
pub mod pop3;
pub mod relay;
pub mod server;
pub mod smtp;
pub mod store;
