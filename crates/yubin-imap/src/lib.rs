//! yubin-imap (under construction).
#![forbid(unsafe_code)]
