//! `Secret<T>`: a value whose `Debug` output is redacted.

use std::fmt;

/// A password, token or key whose `Debug` output never shows the value.
///
/// Read it with [`Secret::expose`], at the one place that needs it. `Secret`
/// has no `Display` and no `PartialEq`: comparing secrets goes through the
/// mechanism's constant-time checks, not `==`.
///
/// ```
/// use yubin_sasl::Secret;
/// let s = Secret::new("hunter2".to_owned());
/// assert_eq!(format!("{s:?}"), "Secret(..)");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value, for the code that must use it.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_even_when_nested() {
        #[derive(Debug)]
        struct Login {
            #[allow(dead_code)]
            password: Secret<String>,
        }
        let l = Login {
            password: Secret::new("tanstaaftanstaaf".to_owned()),
        };
        let out = format!("{l:?} {l:#?}");
        assert!(!out.contains("tanstaaf"), "{out}");
        assert!(out.contains("Secret(..)"));
    }
}
