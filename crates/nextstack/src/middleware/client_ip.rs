//! The client address (decision 20): the TCP peer, or — behind `TRUST_PROXY`
//! proxies — the address the outermost trusted proxy saw, which is the
//! `X-Forwarded-For` entry that many hops from the right. Entries further left
//! were written by the client and prove nothing (taking the left-most one let
//! anyone dodge the rate limits with a made-up address). This is Express's
//! `trust proxy = N` (proxy-addr) rule.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;

/// The address requests come from.
pub fn client_ip(parts: &Parts, trusted_hops: u8) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    resolve(peer, &parts.headers, trusted_hops)
}

/// [`client_ip`] of a whole request.
pub fn client_ip_of<B>(req: &http::Request<B>, trusted_hops: u8) -> Option<IpAddr> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    resolve(peer, req.headers(), trusted_hops)
}

fn resolve(peer: Option<IpAddr>, headers: &http::HeaderMap, trusted_hops: u8) -> Option<IpAddr> {
    if trusted_hops == 0 {
        return peer.map(canonical);
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    Some(canonical(from_the_right(peer, &forwarded, trusted_hops)?))
}

/// Walks from the peer through `hops` trusted proxies: the peer is the first,
/// each forwarded entry (right to left) the next. An unparsable entry ends the
/// walk there (a proxy would never write one); fewer entries than hops give the left-most.
fn from_the_right(peer: Option<IpAddr>, forwarded: &[&str], hops: u8) -> Option<IpAddr> {
    let mut client = peer;
    for entry in forwarded.iter().rev().take(usize::from(hops)) {
        match parse_entry(entry) {
            Some(ip) => client = Some(ip),
            None => break,
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, maybe with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.strip_prefix('[')?.split(']').next()?.parse().ok())
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What rate limits count under: the address, or for IPv6 its /64 (one
/// subscriber's whole network: anyone holds billions of addresses in it).
pub fn limit_key(ip: Option<IpAddr>) -> String {
    match ip {
        None => "unknown".to_string(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let peer = ip("10.0.0.1");
        let xff = ["10.9.9.1", "203.0.113.7"];
        assert_eq!(from_the_right(peer, &xff, 1), ip("203.0.113.7"), "one proxy: what it saw");
        assert_eq!(from_the_right(peer, &xff, 2), ip("10.9.9.1"), "two proxies");
        assert_eq!(from_the_right(peer, &xff, 5), ip("10.9.9.1"), "more hops than entries: the left-most");
        assert_eq!(from_the_right(peer, &[], 1), peer, "no header: the peer");
        assert_eq!(from_the_right(peer, &["1.1.1.1", "garbage"], 2), peer, "garbage stops the walk");
        assert_eq!(from_the_right(peer, &["[2001:db8::1]:443"], 1), ip("2001:db8::1"));
        assert_eq!(from_the_right(peer, &["198.51.100.4:8080"], 1), ip("198.51.100.4"));
    }

    #[test]
    fn ipv6_is_limited_per_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(canonical("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7".parse::<IpAddr>().unwrap());
    }
}
