//! The client's address, for throttling: the TCP peer, unless the peer is a configured
//! reverse proxy, in which case the nearest untrusted `X-Forwarded-For` entry. A
//! client cannot spoof its address by sending the header itself.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;

/// A trusted reverse proxy: one address (`172.28.0.10`, `::1`) or a network in CIDR
/// notation (`172.28.0.0/24`), for proxies whose address is not fixed (containers).
/// IPv4-mapped IPv6 addresses (`::ffff:172.28.0.10`) count as their IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNetwork {
    network: IpAddr,
    prefix: u8,
}

impl ProxyNetwork {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask_v4(self.prefix);
                u32::from(ip) & mask == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask_v6(self.prefix);
                u128::from(ip) & mask == u128::from(net)
            }
            _ => false,
        }
    }
}

fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for ProxyNetwork {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network = address
            .parse::<IpAddr>()
            .map_err(|_| format!("{s:?} is not an IP address or a network like 172.28.0.0/24"))?
            .to_canonical();
        let bits: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {bits}"))?,
        };
        let host_bits_set = match network {
            IpAddr::V4(n) => u32::from(n) & !mask_v4(prefix) != 0,
            IpAddr::V6(n) => u128::from(n) & !mask_v6(prefix) != 0,
        };
        if host_bits_set {
            return Err(format!(
                "{s:?} has host bits set: name the network (e.g. 172.28.0.0/24) or one address without a prefix"
            ));
        }
        Ok(ProxyNetwork { network, prefix })
    }
}

impl std::fmt::Display for ProxyNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

pub fn client_address(req: &HttpRequest, trusted_proxies: &[ProxyNetwork]) -> Option<IpAddr> {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|p| p.contains(*ip));
    let peer = req.peer_addr()?.ip().to_canonical();
    if !trusted(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .filter_map(|entry| entry.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .find(|ip| !trusted(ip))
        .or(Some(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> ProxyNetwork {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn single_addresses_and_networks() {
        let one = net("172.28.0.10");
        assert!(one.contains(ip("172.28.0.10")));
        assert!(one.contains(ip("::ffff:172.28.0.10")));
        assert!(!one.contains(ip("172.28.0.11")));
        let edge = net(" 172.28.0.0/24");
        assert!(edge.contains(ip("172.28.0.1")) && edge.contains(ip("172.28.0.255")));
        assert!(!edge.contains(ip("172.28.1.0")) && !edge.contains(ip("10.0.0.1")));
        assert!(net("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(!net("0.0.0.0/0").contains(ip("2001:db8::1")));
        let v6 = net("fd00:28::/64");
        assert!(v6.contains(ip("fd00:28::5")) && !v6.contains(ip("fd00:29::5")));
        assert!(net("::/0").contains(ip("2001:db8::1")));
        assert_eq!(net("::ffff:10.0.0.0/8").to_string(), "10.0.0.0/8");
    }

    fn from(peer: &str, forwarded: Option<&str>, trusted: &[&str]) -> Option<IpAddr> {
        let mut req =
            actix_web::test::TestRequest::default().peer_addr(format!("{peer}:40000").parse().unwrap());
        if let Some(f) = forwarded {
            req = req.insert_header(("x-forwarded-for", f));
        }
        let trusted: Vec<ProxyNetwork> = trusted.iter().map(|t| net(t)).collect();
        client_address(&req.to_http_request(), &trusted)
    }

    #[test]
    fn the_nearest_untrusted_forwarded_entry_is_the_client() {
        let edge = ["172.28.0.0/24"];
        // A client talking directly: its header is ignored.
        assert_eq!(
            from("203.0.113.9", Some("198.51.100.1"), &edge),
            Some(ip("203.0.113.9"))
        );
        // Through the proxy: the entry the proxy appended, not what the client claimed.
        assert_eq!(
            from("172.28.0.3", Some("198.51.100.1, 203.0.113.9"), &edge),
            Some(ip("203.0.113.9"))
        );
        // Through two proxies of the network.
        assert_eq!(
            from("172.28.0.3", Some("203.0.113.9, 172.28.0.4"), &edge),
            Some(ip("203.0.113.9"))
        );
        // IPv4-mapped forms are one address.
        assert_eq!(
            from("172.28.0.3", Some("::ffff:203.0.113.9"), &edge),
            Some(ip("203.0.113.9"))
        );
        // A proxy that sent nothing usable: the proxy itself.
        assert_eq!(from("172.28.0.3", Some("unknown"), &edge), Some(ip("172.28.0.3")));
        assert_eq!(from("172.28.0.3", None, &[]), Some(ip("172.28.0.3")));
    }

    #[test]
    fn malformed_entries_are_refused_with_a_reason() {
        for (bad, reason) in [
            ("proxy", "not an IP address"),
            ("172.28.0.0/33", "prefix length must be 0 to 32"),
            ("172.28.0.0/x", "prefix length"),
            ("fd00::/129", "0 to 128"),
            ("172.28.0.10/24", "host bits set"),
        ] {
            let err = bad.parse::<ProxyNetwork>().unwrap_err();
            assert!(err.contains(reason), "{bad}: {err}");
        }
    }
}
