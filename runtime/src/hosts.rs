//! Host lists: the address of every process of a job, one `host:port` a line.

use std::net::{TcpListener, ToSocketAddrs};
use std::path::Path;

use crate::error::{Result, RillError};

/// Reads a host list file; see [`parse_hosts`] for the format.
pub fn read_hosts(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RillError::new(format!("cannot read host list {}: {e}", path.display())))?;
    parse_hosts(&text, &path.display().to_string())
}

/// Parses a host list: one `host:port` a line; blank lines and `#` comments are ignored.
/// Errors name `origin` (usually the file name), the line and the problem.
pub fn parse_hosts(text: &str, origin: &str) -> Result<Vec<String>> {
    let mut hosts: Vec<(String, usize)> = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, line)| (i + 1, line)) {
        let entry = line.split('#').next().unwrap_or_default().trim();
        if entry.is_empty() {
            continue;
        }
        let at = |problem: String| RillError::new(format!("{origin}:{number}: {problem}"));
        if split_host_port(entry).is_none() {
            return Err(at(format!("expected host:port, found `{entry}`")));
        }
        if let Some((_, first)) = hosts.iter().find(|(host, _)| host == entry) {
            return Err(at(format!(
                "`{entry}` is listed twice (first on line {first})"
            )));
        }
        hosts.push((entry.to_string(), number));
    }
    if hosts.is_empty() {
        return Err(RillError::new(format!(
            "{origin}: the host list is empty; write one host:port a line, one line per process"
        )));
    }
    Ok(hosts.into_iter().map(|(host, _)| host).collect())
}

/// Splits `host:port` (or `[v6]:port`) into its host and a non-zero port.
fn split_host_port(addr: &str) -> Option<(&str, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let port = port.parse::<u16>().ok().filter(|&port| port != 0)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let valid = !host.is_empty() && !host.contains(|c: char| c.is_whitespace() || c == '/');
    valid.then_some((host, port))
}

/// Whether the host of `addr` (`host:port`) is this machine: it resolves to an address this
/// machine can listen on (localhost, `127.x`, `0.0.0.0`, or one of its own interfaces).
pub fn is_local(addr: &str) -> bool {
    let Some((host, _)) = split_host_port(addr) else {
        return false;
    };
    match (host, 0).to_socket_addrs() {
        Ok(mut addrs) => addrs.any(|a| TcpListener::bind((a.ip(), 0)).is_ok()),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_comments_and_blank_lines() {
        let text = "# cluster\n127.0.0.1:2101\n\n  localhost:2102  # second\n[::1]:2103\n";
        let hosts = parse_hosts(text, "hosts.txt").unwrap();
        assert_eq!(hosts, ["127.0.0.1:2101", "localhost:2102", "[::1]:2103"]);
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let error = parse_hosts("a:1\n\nfoo\n", "hosts.txt").unwrap_err();
        assert_eq!(
            error.message(),
            "hosts.txt:3: expected host:port, found `foo`"
        );
        let error = parse_hosts("a:99999\n", "h").unwrap_err();
        assert_eq!(error.message(), "h:1: expected host:port, found `a:99999`");
        let error = parse_hosts("a b:1\n", "h").unwrap_err();
        assert!(error.message().starts_with("h:1: expected host:port"));
        let error = parse_hosts("a:1\na:1\n", "h").unwrap_err();
        assert_eq!(
            error.message(),
            "h:2: `a:1` is listed twice (first on line 1)"
        );
    }

    #[test]
    fn empty_list_is_an_error() {
        let error = parse_hosts("# nothing\n\n", "hosts.txt").unwrap_err();
        assert!(error
            .message()
            .starts_with("hosts.txt: the host list is empty"));
    }

    #[test]
    fn missing_file_is_named() {
        let error = read_hosts(Path::new("/nonexistent/hosts.txt")).unwrap_err();
        assert!(error.message().contains("/nonexistent/hosts.txt"));
    }

    #[test]
    fn local_addresses() {
        assert!(is_local("127.0.0.1:2101"));
        assert!(is_local("127.0.0.5:2101"));
        assert!(is_local("localhost:2101"));
        assert!(is_local("0.0.0.0:2101"));
        // TEST-NET-3 (RFC 5737) is never assigned to a real interface.
        assert!(!is_local("203.0.113.7:2101"));
        assert!(!is_local("no-such-host.invalid:2101"));
        assert!(!is_local("garbage"));
    }
}
