//! Connecting the processes of a cluster, with a handshake and a timeout, before handing the
//! sockets to timely (whose own `create_sockets` retries forever and panics on errors).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use timely::communication::allocator::zero_copy::initialize::{
    initialize_networking_from_sockets, CommsGuard,
};
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::communication::Hooks;

use crate::error::{Result, RillError};

/// The first bytes every Rill connection carries, so that strangers and old versions are refused.
const MAGIC: &[u8; 8] = b"RILLNET1";
/// The longest job name a handshake accepts.
const MAX_JOB_NAME: u64 = 64 * 1024;
/// How long to wait between attempts to reach a process that is not listening yet.
const RETRY: Duration = Duration::from_millis(100);

/// One process's place in a cluster and what it must agree on with every other process.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The job's name; all processes must run the same job.
    pub job: String,
    /// The address of every process, in order.
    pub hosts: Vec<String>,
    /// This process's index in `hosts`.
    pub process: usize,
    /// Worker threads per process; all processes must agree.
    pub workers: usize,
    /// How long connecting to all peers may take.
    pub timeout: Duration,
}

/// What each side of a connection says about itself before timely takes the socket over.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hello {
    process: u64,
    workers: u64,
    processes: u64,
    job: String,
}

impl Cluster {
    /// Connects to every other process: listens on this process's address, connects to every
    /// lower-index process and accepts every higher-index one, each with a handshake. Returns one
    /// socket per process, `None` at this process's index, as timely expects.
    pub fn connect(&self) -> Result<Vec<Option<TcpStream>>> {
        let deadline = Instant::now() + self.timeout;
        let address = &self.hosts[self.process];
        let listener = TcpListener::bind(address.as_str()).map_err(|e| {
            let cause = match e.kind() {
                io::ErrorKind::AddrInUse => "address in use".to_string(),
                _ => e.to_string(),
            };
            RillError::new(format!(
                "process {} cannot listen on {address}: {cause}",
                self.process
            ))
        })?;
        listener.set_nonblocking(true)?;
        let abort = AtomicBool::new(false);
        let (connected, accepted) = thread::scope(|scope| {
            let acceptor = scope.spawn(|| {
                let accepted = self.accept_all(&listener, deadline, &abort);
                if accepted.is_err() {
                    abort.store(true, Ordering::SeqCst);
                }
                accepted
            });
            let connected = self.connect_all(deadline, &abort);
            if connected.is_err() {
                abort.store(true, Ordering::SeqCst);
            }
            let accepted = acceptor
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (connected, accepted)
        });
        let mut sockets = connected?;
        sockets.push(None);
        sockets.extend(accepted?);
        Ok(sockets)
    }

    /// Starts timely's network threads on connected `sockets` and returns one allocator builder
    /// per worker thread, plus the guard that must live as long as the computation.
    pub fn allocators(
        &self,
        sockets: Vec<Option<TcpStream>>,
    ) -> Result<(Vec<AllocatorBuilder>, CommsGuard)> {
        let hooks = Hooks::default();
        let local = ProcessBuilder::new_typed_vector(
            self.workers,
            hooks.refill.clone(),
            hooks.spill.clone(),
        );
        let (builders, guard) =
            initialize_networking_from_sockets(local, sockets, self.process, self.workers, hooks)
                .map_err(|e| {
                RillError::new(format!(
                    "process {}: cannot start network threads: {e}",
                    self.process
                ))
            })?;
        Ok((
            builders.into_iter().map(AllocatorBuilder::Tcp).collect(),
            guard,
        ))
    }

    /// Connects to processes `0..self.process`, retrying until the deadline. Returns early with
    /// what it has if `abort` is raised.
    fn connect_all(&self, deadline: Instant, abort: &AtomicBool) -> Result<Vec<Option<TcpStream>>> {
        let mut sockets = Vec::with_capacity(self.process);
        for peer in 0..self.process {
            let address = &self.hosts[peer];
            let stream = loop {
                if abort.load(Ordering::SeqCst) {
                    return Ok(sockets);
                }
                let error = match try_connect(address, deadline) {
                    Ok(stream) => break stream,
                    Err(error) => error,
                };
                if Instant::now() + RETRY >= deadline {
                    return Err(self.timed_out(peer, "", &format!(" (last error: {error})")));
                }
                thread::sleep(RETRY);
            };
            self.handshake(&stream, Some(peer), deadline)?;
            sockets.push(Some(stream));
        }
        Ok(sockets)
    }

    /// Accepts processes `self.process + 1..`, until the deadline. Returns early with what it
    /// has if `abort` is raised.
    fn accept_all(
        &self,
        listener: &TcpListener,
        deadline: Instant,
        abort: &AtomicBool,
    ) -> Result<Vec<Option<TcpStream>>> {
        let first = self.process + 1;
        let mut sockets: Vec<Option<TcpStream>> = (first..self.hosts.len()).map(|_| None).collect();
        while let Some(missing) = sockets.iter().position(Option::is_none) {
            if abort.load(Ordering::SeqCst) {
                return Ok(sockets);
            }
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false)?;
                    let peer = self.handshake(&stream, None, deadline)?;
                    sockets[peer - first] = Some(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(self.timed_out(first + missing, " to connect", ""));
                    }
                    thread::sleep(RETRY / 2);
                }
                Err(e) => {
                    return Err(RillError::new(format!(
                        "process {}: accept failed: {e}",
                        self.process
                    )))
                }
            }
        }
        Ok(sockets)
    }

    /// Exchanges [`Hello`]s on `stream` and checks that the peer runs the same job with the same
    /// layout. `expected` is the peer's index when we connected; when we accepted, any
    /// higher-index process that has not connected yet is fine. Returns the peer's index.
    fn handshake(
        &self,
        stream: &TcpStream,
        expected: Option<usize>,
        deadline: Instant,
    ) -> Result<usize> {
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(remaining))?;
        stream.set_write_timeout(Some(remaining))?;
        let mine = Hello {
            process: self.process as u64,
            workers: self.workers as u64,
            processes: self.hosts.len() as u64,
            job: self.job.clone(),
        };
        let from = stream
            .peer_addr()
            .map_or_else(|_| "an unknown address".into(), |a| a.to_string());
        let peer_name = match expected {
            Some(peer) => format!("process {peer} at {}", self.hosts[peer]),
            None => format!("the peer at {from}"),
        };
        let theirs = mine
            .write(&mut &*stream)
            .and_then(|()| Hello::read(&mut &*stream))
            .map_err(|e| match (e.kind(), expected) {
                (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(peer)) => {
                    self.timed_out(peer, "", " (it accepted the connection but did not answer)")
                }
                _ => RillError::new(format!(
                    "process {}: handshake with {} failed: {e}",
                    self.process, peer_name
                )),
            })?;
        let peer = theirs.process as usize;
        let peer_name = match expected {
            Some(_) => peer_name,
            None => format!("process {peer} (connecting from {from})"),
        };
        if theirs.job != mine.job
            || theirs.workers != mine.workers
            || theirs.processes != mine.processes
        {
            return Err(RillError::new(format!(
                "process {} ({}) {}, but {peer_name} {}; start every process from the same binary \
                 with the same --workers and host list",
                self.process,
                self.hosts[self.process],
                mine.describe(),
                theirs.describe()
            )));
        }
        let index_ok = match expected {
            Some(expected) => peer == expected,
            None => peer > self.process && peer < self.hosts.len(),
        };
        if !index_ok {
            return Err(RillError::new(format!(
                "process {}: {peer_name} says it is process {peer}; do all processes use the same \
                 host list?",
                self.process
            )));
        }
        stream.set_read_timeout(None)?;
        stream.set_write_timeout(None)?;
        Ok(peer)
    }

    /// The error for a peer that did not show up in time.
    fn timed_out(&self, peer: usize, what: &str, detail: &str) -> RillError {
        RillError::new(format!(
            "process {}: timed out after {}s waiting for process {peer} at {}{what}{detail}",
            self.process,
            self.timeout.as_secs_f64(),
            self.hosts[peer]
        ))
    }
}

/// One attempt to connect to `address`, bounded by the deadline and at most a second.
fn try_connect(address: &str, deadline: Instant) -> io::Result<TcpStream> {
    let budget = deadline
        .saturating_duration_since(Instant::now())
        .clamp(Duration::from_millis(1), Duration::from_secs(1));
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        "the host name resolves to no address",
    );
    for addr in address.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, budget) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

impl Hello {
    /// Writes the magic tag, then process, workers, processes (u64 big-endian), then the job name
    /// (length as u64 big-endian, then UTF-8 bytes).
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let mut bytes = MAGIC.to_vec();
        for n in [
            self.process,
            self.workers,
            self.processes,
            self.job.len() as u64,
        ] {
            bytes.extend_from_slice(&n.to_be_bytes());
        }
        bytes.extend_from_slice(self.job.as_bytes());
        out.write_all(&bytes)?;
        out.flush()
    }

    /// Reads what [`Hello::write`] wrote.
    fn read(input: &mut impl Read) -> io::Result<Hello> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(invalid(
                "it is not a Rill process of this version (bad handshake tag)",
            ));
        }
        let mut read_u64 = || -> io::Result<u64> {
            let mut n = [0u8; 8];
            input.read_exact(&mut n)?;
            Ok(u64::from_be_bytes(n))
        };
        let (process, workers, processes, len) =
            (read_u64()?, read_u64()?, read_u64()?, read_u64()?);
        if len > MAX_JOB_NAME {
            return Err(invalid("its job name is too long"));
        }
        let mut job = vec![0u8; len as usize];
        input.read_exact(&mut job)?;
        let job = String::from_utf8(job).map_err(|_| invalid("its job name is not UTF-8"))?;
        Ok(Hello {
            process,
            workers,
            processes,
            job,
        })
    }

    /// E.g. `runs job "x" with 2 worker(s) per process on 3 process(es)`.
    fn describe(&self) -> String {
        format!(
            "runs job \"{}\" with {} worker(s) per process on {} process(es)",
            self.job, self.workers, self.processes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free_ports(n: usize) -> Vec<String> {
        let listeners: Vec<_> = (0..n)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        listeners
            .iter()
            .map(|l| l.local_addr().unwrap().to_string())
            .collect()
    }

    fn cluster(hosts: &[String], process: usize, workers: usize, job: &str, secs: f64) -> Cluster {
        Cluster {
            job: job.to_string(),
            hosts: hosts.to_vec(),
            process,
            workers,
            timeout: Duration::from_secs_f64(secs),
        }
    }

    #[test]
    fn three_processes_connect() {
        let hosts = free_ports(3);
        let results: Vec<_> = thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|i| {
                    let c = cluster(&hosts, i, 2, "job", 10.0);
                    s.spawn(move || c.connect())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (i, sockets) in results.into_iter().enumerate() {
            let sockets = sockets.unwrap();
            assert_eq!(sockets.len(), 3);
            for (j, socket) in sockets.iter().enumerate() {
                assert_eq!(socket.is_none(), i == j);
            }
        }
    }

    #[test]
    fn unreachable_peer_times_out_naming_it() {
        let hosts = free_ports(2);
        let started = Instant::now();
        let error = cluster(&hosts, 1, 1, "job", 0.5).connect().unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let expected = format!("timed out after 0.5s waiting for process 0 at {}", hosts[0]);
        assert!(error.message().contains(&expected), "{error}");
    }

    #[test]
    fn missing_higher_peer_times_out_naming_it() {
        let hosts = free_ports(2);
        let error = cluster(&hosts, 0, 1, "job", 0.3).connect().unwrap_err();
        let expected = format!("waiting for process 1 at {} to connect", hosts[1]);
        assert!(error.message().contains(&expected), "{error}");
    }

    #[test]
    fn port_in_use_is_reported() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let hosts = vec![taken.local_addr().unwrap().to_string()];
        let error = cluster(&hosts, 0, 1, "job", 0.3).connect().unwrap_err();
        assert_eq!(
            error.message(),
            format!("process 0 cannot listen on {}: address in use", hosts[0])
        );
    }

    #[test]
    fn mismatched_workers_are_named_on_both_sides() {
        let hosts = free_ports(2);
        let (zero, one) = thread::scope(|s| {
            let zero = s.spawn(|| cluster(&hosts, 0, 2, "job", 5.0).connect());
            let one = s.spawn(|| cluster(&hosts, 1, 3, "job", 5.0).connect());
            (zero.join().unwrap(), one.join().unwrap())
        });
        let zero = zero.unwrap_err();
        let one = one.unwrap_err();
        assert!(
            zero.message().contains("with 2 worker(s)")
                && zero.message().contains("with 3 worker(s)"),
            "{zero}"
        );
        assert!(
            one.message().starts_with("process 1 (") && one.message().contains("process 0 at"),
            "{one}"
        );
    }

    #[test]
    fn mismatched_job_names_are_refused() {
        let hosts = free_ports(2);
        let one = thread::scope(|s| {
            s.spawn(|| cluster(&hosts, 0, 1, "wordcount", 5.0).connect());
            s.spawn(|| cluster(&hosts, 1, 1, "pagerank", 5.0).connect())
                .join()
                .unwrap()
        });
        let message = one.unwrap_err().to_string();
        assert!(
            message.contains("\"wordcount\"") && message.contains("\"pagerank\""),
            "{message}"
        );
    }

    #[test]
    fn stranger_is_refused() {
        let hosts = free_ports(2);
        let error = thread::scope(|s| {
            let zero = s.spawn(|| cluster(&hosts, 0, 1, "job", 5.0).connect());
            let mut stream = loop {
                match TcpStream::connect(&hosts[0]) {
                    Ok(stream) => break stream,
                    Err(_) => thread::sleep(RETRY),
                }
            };
            stream.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
            zero.join().unwrap().unwrap_err()
        });
        assert!(error.message().contains("bad handshake tag"), "{error}");
    }
}
