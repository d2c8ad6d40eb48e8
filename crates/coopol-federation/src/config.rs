//! The instance's identity and the URLs it mints live in `coopol_service::config` (the service
//! mints the ids of what it creates); re-exported here with the origin rule of federation.

use url::Url;

pub use coopol_service::config::{authority, InstanceConfig};

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_include_the_port() {
        let a = Url::parse("http://localhost:8081/users/a").unwrap();
        let b = Url::parse("http://localhost:8082/users/b").unwrap();
        let c = Url::parse("http://localhost:8081/x").unwrap();
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
    }
}
