//! Who is calling: the client's address as the login throttle counts it.
//! It is the connection's address, unless the connection comes from a
//! trusted reverse proxy (`trusted_proxies`): then the address that proxy
//! relays, from `Forwarded` (RFC 7239) or else `X-Forwarded-For`, read
//! from the right and skipping the trusted proxies, so a client cannot
//! choose its own address by sending the header itself.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client's address (`"unknown"` when the connection has none).
pub fn address(req: &HttpRequest, proxies: &[IpNet]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let trusted = |ip: &IpAddr| proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer.to_string();
    }
    let hops = relayed(req);
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) => {
                client = *ip;
                if !trusted(ip) {
                    break;
                }
            }
            // An obfuscated or unreadable hop: the last known one stands.
            None => break,
        }
    }
    client.to_string()
}

/// The addresses the proxies relayed, client first: `Forwarded`'s `for=`
/// when the header is there, else `X-Forwarded-For`.
fn relayed(req: &HttpRequest) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        req.headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(',').map(|s| s.trim().to_owned()))
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| parse(value))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|value| parse(value))
        .collect()
}

/// `192.0.2.43`, `"[2001:db8::17]:4711"`, `198.51.100.7:80`.
fn parse(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(ip) = value.parse() {
        return Some(ip);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    value.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("net")).collect()
    }

    fn from(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(peer.parse().expect("peer"));
        for (name, value) in headers {
            req = req.append_header((*name, *value));
        }
        req.to_http_request()
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let req = from("198.51.100.9:5000", &[("x-forwarded-for", "203.0.113.5")]);
        assert_eq!(address(&req, &[]), "198.51.100.9");
        let other = nets(&["10.0.0.0/8"]);
        assert_eq!(address(&req, &other), "198.51.100.9", "not from a proxy");
    }

    #[test]
    fn behind_a_trusted_proxy_the_relayed_client_counts() {
        let proxies = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        let req = from(
            "127.0.0.1:5000",
            &[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.1.2.3")],
        );
        // A client's own header value (198.51.100.1) is not believed: the
        // rightmost address that is not a proxy is.
        assert_eq!(address(&req, &proxies), "203.0.113.5");
    }

    #[test]
    fn forwarded_wins_and_reads_ipv6_and_ports() {
        let proxies = nets(&["127.0.0.1/32"]);
        let req = from(
            "127.0.0.1:5000",
            &[
                ("forwarded", r#"for="[2001:db8::17]:4711";proto=https"#),
                ("x-forwarded-for", "203.0.113.5"),
            ],
        );
        assert_eq!(address(&req, &proxies), "2001:db8::17");
        let port = from("127.0.0.1:5000", &[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(address(&port, &proxies), "192.0.2.60");
        let hidden = from("127.0.0.1:5000", &[("forwarded", "for=_hidden")]);
        assert_eq!(address(&hidden, &proxies), "127.0.0.1");
    }
}
