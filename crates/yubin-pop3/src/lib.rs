//! yubin-pop3 (under construction).
#![forbid(unsafe_code)]
