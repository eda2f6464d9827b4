//! Misuse-resistant types for every IMAP command, response and data item.
//!
//! Validated newtypes ([`Tag`], [`Atom`], [`Quoted`], [`Literal`], …) can only
//! hold what the grammar allows; composite types are plain structs and enums
//! built from them. Payloads (literals, long strings) are [`bytes::Bytes`]:
//! parsing slices them out of the received message without copying. Short
//! tokens and strings (up to 23 octets: tags, atoms, most quoted strings)
//! are copied into the value instead, which costs less than sharing the
//! message buffer; `to_bytes` on one of those makes a copy.

mod core;
mod message;

pub use self::core::*;
pub use self::message::*;

/// A value rejected by a type's constructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypeError {
    /// Not a valid tag (empty, or a character outside ASTRING-CHAR, or `+`).
    #[error("invalid tag")]
    Tag,
    /// Not a valid atom.
    #[error("invalid atom")]
    Atom,
    /// CR, LF or NUL in a quoted string.
    #[error("invalid quoted string content")]
    Quoted,
    /// NUL in a non-binary literal.
    #[error("NUL in a literal (use a literal8)")]
    LiteralNul,
    /// CR, LF or NUL in text.
    #[error("invalid text")]
    Text,
    /// An empty sequence set.
    #[error("empty sequence set")]
    EmptySet,
    /// Not a valid date-time.
    #[error("invalid date-time")]
    DateTime,
    /// Not a valid date.
    #[error("invalid date")]
    Date,
    /// An empty list where the grammar wants at least one element.
    #[error("empty list")]
    EmptyList,
}
