//! `leverage serve`: reads the case, binds the address, prints the URL and hands over to the
//! dashboard's server (`leverage-serve`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::user;
use crate::{Failure, Result, diagnostics, io, sim};

/// Everything `serve` needs.
pub struct ServeArgs {
    pub case: Option<PathBuf>,
    pub port: u16,
    pub listen: Option<IpAddr>,
    pub save_dir: PathBuf,
    pub store: Option<PathBuf>,
    pub threads: Option<usize>,
}

/// `leverage serve`.
pub fn run(a: ServeArgs) -> Result<()> {
    let loaded = io::load_case(a.case.as_deref())?;
    diagnostics::print_warnings(&loaded);
    if !a.save_dir.is_dir() {
        return Err(user(format!(
            "--save-dir {} is not a folder\n  help: create it first, or give another folder",
            a.save_dir.display()
        )));
    }
    if let Some(n) = a.threads {
        crate::args::threads(&n.to_string()).map_err(|e| user(format!("--threads {n}: {e}")))?;
    }
    let ip = a.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!(
            "warning: listening on {ip}, not on loopback: anyone who can reach this address can run the engines and save case files into {}",
            a.save_dir.display()
        );
    }
    let listener = std::net::TcpListener::bind(SocketAddr::new(ip, a.port)).map_err(|e| {
        user(format!(
            "cannot listen on {}: {e}\n  help: choose another --port (0 takes any free port)",
            SocketAddr::new(ip, a.port)
        ))
    })?;
    let at = listener.local_addr()?;
    let store = sim::store_path(a.store.as_deref()).ok();
    let opts = leverage_serve::Options {
        save_dir: a.save_dir,
        store,
        limits: leverage_serve::Limits::default(),
        threads: a.threads,
    };
    let host = match at.ip() {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    println!(
        "serving case {} at http://{host}:{}/",
        loaded.case.case.id,
        at.port()
    );
    eprintln!("press Ctrl-C to stop");
    leverage_serve::run(listener, loaded, opts)
        .map_err(|e| Failure::Internal(format!("server: {e}")))
}
