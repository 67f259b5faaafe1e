//! Which address a request came from, for throttling sign-ins and sign-ups. Pure parsing, no I/O.
//!
//! Only the connection's peer address is certain. When the peer is one of our own reverse proxies
//! (`TRUSTED_PROXIES`), the forwarding header is read from the right: every proxy appends the
//! address it saw, so the right-most entry that is not one of our proxies is the first address
//! none of ours wrote. Everything left of it came from the client and may be made up, so the
//! left-most value (what `TRUSTED_CLIENT_IP_HEADER` used to take) is never believed.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A network such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a network of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpCidr {
    network: IpAddr,
    prefix: u8,
}

/// More trusted hops than this in one header is not a real proxy chain; the peer is used instead.
pub const MAX_TRUSTED_HOPS: usize = 16;

impl IpCidr {
    /// `None` when the prefix is longer than the address or host bits are set (`10.0.0.1/8`).
    pub fn new(network: IpAddr, prefix: u8) -> Option<IpCidr> {
        if prefix > max_prefix(network) || mask(network, prefix) != network {
            return None;
        }
        Some(IpCidr { network, prefix })
    }

    pub fn network(&self) -> IpAddr {
        self.network
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// An IPv4 network also holds the IPv4-mapped IPv6 form of its addresses (`::ffff:10.0.0.1`),
    /// which is how a dual-stack listener reports IPv4 peers.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }

    /// One network, with an error that says what is wrong with it.
    pub fn parse(text: &str) -> Result<IpCidr, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim())),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| {
            format!("{text:?} is not an IP address or network (write 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32)")
        })?;
        let max = max_prefix(network);
        let mut prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length after '/' must be a number from 0 to {max}"))?,
        };
        // `::ffff:10.0.0.0/104` is 10.0.0.0/8 written the IPv6 way; addresses are compared canonically.
        let mut network = network;
        if let IpAddr::V6(v6) = network {
            if let (Some(v4), true) = (v6.to_ipv4_mapped(), prefix >= 96) {
                network = IpAddr::V4(v4);
                prefix -= 96;
            }
        }
        IpCidr::new(network, prefix).ok_or_else(|| {
            format!("{text:?} has bits set after the first {prefix}; did you mean {}/{prefix}?", mask(network, prefix))
        })
    }

    /// A comma-separated list; blank entries are ignored.
    pub fn parse_list(text: &str) -> Result<Vec<IpCidr>, String> {
        text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(IpCidr::parse).collect()
    }
}

impl std::fmt::Display for IpCidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

/// The address with everything after the first `prefix` bits cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let kept = if prefix == 0 { 0 } else { bits & (u32::MAX << (32 - u32::from(prefix.min(32)))) };
            IpAddr::V4(Ipv4Addr::from(kept))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let kept = if prefix == 0 { 0 } else { bits & (u128::MAX << (128 - u32::from(prefix.min(128)))) };
            IpAddr::V6(Ipv6Addr::from(kept))
        }
    }
}

/// One entry of a forwarding header: `192.0.2.7`, `2001:db8::1`, with a port (`192.0.2.7:443`,
/// `[2001:db8::1]:443`) or in brackets. Anything else (`unknown`, obfuscated names, junk) is `None`.
pub fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim().trim_matches('"');
    if entry.is_empty() || entry.len() > 64 {
        return None;
    }
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.strip_prefix('[')?.strip_suffix(']')?.parse::<Ipv6Addr>().ok().map(IpAddr::V6))?;
    Some(ip.to_canonical())
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the right-most hop of
/// `forwarded` (the header's values joined with commas) that is not a trusted proxy. When every
/// hop is trusted, the left-most (furthest) one. An entry that does not parse, or a chain longer
/// than [`MAX_TRUSTED_HOPS`], falls back to the peer: a proxy of ours never writes either.
pub fn client_ip(peer: IpAddr, forwarded: &str, trusted: &[IpCidr]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut furthest_trusted = None;
    for (seen, entry) in forwarded.rsplit(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
        if seen >= MAX_TRUSTED_HOPS {
            return peer;
        }
        match parse_hop(entry) {
            None => return peer,
            Some(ip) if is_trusted(ip) => furthest_trusted = Some(ip),
            Some(ip) => return ip,
        }
    }
    furthest_trusted.unwrap_or(peer)
}

/// What throttles key on: an IPv4 address, or an IPv6 address's /64 — one subscriber usually
/// holds a whole /64, so keying on single IPv6 addresses would give an attacker 2^64 fresh keys.
pub fn throttle_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        v6 => format!("{}/64", mask(v6, 64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(s: &str) -> Vec<IpCidr> {
        IpCidr::parse_list(s).unwrap()
    }

    #[test]
    fn networks_parse_with_errors_that_say_what_to_fix() {
        assert_eq!(IpCidr::parse(" 10.0.0.0/8 ").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(IpCidr::parse("192.0.2.7").unwrap().to_string(), "192.0.2.7/32");
        assert_eq!(IpCidr::parse("2001:db8::/32").unwrap().to_string(), "2001:db8::/32");
        assert_eq!(IpCidr::parse("::1").unwrap().prefix(), 128);
        assert!(IpCidr::parse("10.0.0.1/8").unwrap_err().contains("did you mean 10.0.0.0/8"));
        assert!(IpCidr::parse("10.0.0.0/33").unwrap_err().contains("0 to 32"));
        assert!(IpCidr::parse("2001:db8::/129").unwrap_err().contains("0 to 128"));
        assert!(IpCidr::parse("proxy.internal").unwrap_err().contains("not an IP address"));
        assert!(IpCidr::parse("10.0.0.0/x").is_err());
        assert_eq!(nets("127.0.0.1, ,10.0.0.0/8,").len(), 2);
        assert!(IpCidr::parse_list("10.0.0.0/8,nope").is_err());
    }

    #[test]
    fn networks_hold_their_addresses_including_ipv4_mapped_ones() {
        let private = IpCidr::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.255.0.1")));
        assert!(private.contains(ip("::ffff:10.1.2.3")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(!private.contains(ip("::1")));
        assert!(IpCidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        assert_eq!(IpCidr::parse("::ffff:10.0.0.0/104").unwrap(), private, "the IPv6 spelling of 10.0.0.0/8");
        assert!(IpCidr::parse("2001:db8::/32").unwrap().contains(ip("2001:db8:ffff::1")));
        assert!(!IpCidr::parse("2001:db8::/32").unwrap().contains(ip("2001:db9::1")));
    }

    #[test]
    fn hops_parse_with_ports_and_brackets_and_junk_is_none() {
        assert_eq!(parse_hop(" 192.0.2.7 "), Some(ip("192.0.2.7")));
        assert_eq!(parse_hop("192.0.2.7:443"), Some(ip("192.0.2.7")));
        assert_eq!(parse_hop("[2001:db8::1]:443"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("\"2001:db8::1\""), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("::ffff:192.0.2.7"), Some(ip("192.0.2.7")));
        for junk in ["unknown", "_hidden", "", "1.2.3", "999.1.1.1", "<script>", &"1".repeat(100)] {
            assert_eq!(parse_hop(junk), None, "{junk}");
        }
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets("127.0.0.1, 10.0.0.0/8");
        let proxy = ip("127.0.0.1");
        // The client wrote "6.6.6.6"; our proxy appended the address it saw.
        assert_eq!(client_ip(proxy, "6.6.6.6, 203.0.113.5", &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(proxy, "6.6.6.6, 203.0.113.5, 10.0.0.2", &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(proxy, "garbage, 203.0.113.5", &trusted), ip("203.0.113.5"), "left of the client");
        assert_eq!(client_ip(proxy, "203.0.113.5, garbage", &trusted), proxy, "a proxy never writes junk");
        assert_eq!(client_ip(proxy, "", &trusted), proxy);
        assert_eq!(client_ip(proxy, "10.0.0.9, 10.0.0.2", &trusted), ip("10.0.0.9"), "all ours: the furthest");
        let long = vec!["10.0.0.2"; MAX_TRUSTED_HOPS + 1].join(",");
        assert_eq!(client_ip(proxy, &format!("203.0.113.5,{long}"), &trusted), proxy);
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_sends() {
        let peer = ip("198.51.100.4");
        assert_eq!(client_ip(peer, "203.0.113.5", &nets("127.0.0.1")), peer);
        assert_eq!(client_ip(peer, "203.0.113.5", &[]), peer);
        assert_eq!(client_ip(ip("::ffff:198.51.100.4"), "", &[]), peer, "IPv4-mapped peers read as IPv4");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(throttle_key(ip("203.0.113.5")), "203.0.113.5");
        assert_eq!(throttle_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(ip("2001:db8:1:2:bbbb::9")), throttle_key(ip("2001:db8:1:2::1")));
        assert_eq!(throttle_key(ip("::ffff:203.0.113.5")), "203.0.113.5");
    }
}
