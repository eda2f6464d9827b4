//! Helpers shared by the loopback tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;

use yubin_tokio::{CertSource, CertStore};

/// A self-signed certificate for `localhost`: the server's store and the
/// PEM a client trusts.
pub(crate) fn cert() -> (Arc<CertStore>, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = ck.cert.pem();
    let store = CertStore::new(CertSource::Pem {
        cert: pem.clone(),
        key: ck.signing_key.serialize_pem(),
    })
    .unwrap();
    (store, pem)
}
