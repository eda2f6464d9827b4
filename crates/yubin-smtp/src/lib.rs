//! yubin-smtp (under construction).
#![forbid(unsafe_code)]
