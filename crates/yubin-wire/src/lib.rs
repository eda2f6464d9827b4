//! yubin-wire (under construction).
#![forbid(unsafe_code)]
