//! yubin-sasl (under construction).
#![forbid(unsafe_code)]
