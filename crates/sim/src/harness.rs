//! Test support: a private `pcscd` with the `vsmartcard-vpcd` driver, for end-to-end tests and
//! benchmarks through the real PC/SC stack.
//!
//! pcsc-lite 1.9's daemon always puts its socket in `/run/pcscd`, so [`VirtualReader::start`] runs
//! it in its own mount namespace (`unshare -m`, needs root as in CI) with a temporary directory
//! bound over `/run/pcscd`, and its own `reader.conf.d` giving vpcd a free port. Parallel runs do
//! not clash and the machine's own pcscd (if any) is untouched. A PC/SC client reaches it by setting
//! `PCSCLITE_CSOCK_NAME` to [`VirtualReader::socket`] — in a child process, since changing the
//! environment of a running (multi-threaded) test process is not sound.
//!
//! Dropping the handle kills that pcscd and removes the directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The name of the first virtual reader vpcd creates.
pub const READER_NAME: &str = "Virtual PCD 00 00";

const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// A running private pcscd with a vpcd reader.
#[derive(Debug)]
pub struct VirtualReader {
    dir: PathBuf,
    child: Child,
    port: u16,
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Two consecutive free TCP ports (vpcd listens on `port` for reader 00 00 and `port + 1` for 00 01).
fn free_port_pair() -> Result<u16, String> {
    for _ in 0..50 {
        let a = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = a.local_addr().map_err(|e| e.to_string())?.port();
        if port < u16::MAX && std::net::TcpListener::bind(("0.0.0.0", port + 1)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free pair of TCP ports for vpcd".into())
}

impl VirtualReader {
    /// Starts pcscd with vpcd; fails with the reason (missing package, no root, pcscd died) — a
    /// caller that cannot get one must fail, not skip.
    pub fn start() -> Result<VirtualReader, String> {
        let pcscd = find_program("pcscd")
            .ok_or("pcscd is not installed (Debian package pcscd; scripts/setup.sh installs it)")?;
        if !Path::new(VPCD_DRIVER).is_file() {
            return Err(format!(
                "{VPCD_DRIVER} is missing (Debian package vsmartcard-vpcd; scripts/setup.sh installs it)"
            ));
        }
        let unshare = find_program("unshare").ok_or("unshare (util-linux) is not installed")?;
        let port = free_port_pair()?;
        let dir =
            std::env::temp_dir().join(format!("epassport-vpcd-{}-{}", std::process::id(), port));
        let conf = dir.join("conf");
        let run = dir.join("run");
        for d in [&conf, &run] {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        std::fs::write(
            conf.join("vpcd"),
            format!(
                "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("pcscd.log")).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(unshare)
            .args(["-m", "sh", "-c"])
            .arg("mkdir -p /run/pcscd && mount --bind \"$1\" /run/pcscd && exec \"$2\" --foreground --config \"$3\" $4")
            .arg("sh")
            .arg(&run)
            .arg(&pcscd)
            .arg(&conf)
            // EPASSPORT_PCSCD_DEBUG=1 makes pcscd log at debug level (see `log()`).
            .arg(if std::env::var_os("EPASSPORT_PCSCD_DEBUG").is_some() { "-d" } else { "" })
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| format!("cannot start pcscd: {e}"))?;
        let mut me = VirtualReader { dir, child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if me.socket().exists() {
                return Ok(me);
            }
            if let Ok(Some(status)) = me.child.try_wait() {
                return Err(format!(
                    "pcscd exited ({status}) before it was ready (a private pcscd needs root for unshare/mount): {}",
                    me.log().trim()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!("pcscd not ready after 10 s: {}", me.log().trim()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    /// The PC/SC socket clients reach this pcscd through (`PCSCLITE_CSOCK_NAME`).
    pub fn socket(&self) -> PathBuf {
        self.dir.join("run").join("pcscd.comm")
    }
    /// The address the chip connects to (`127.0.0.1:<port>`), for [`crate::vpcd::serve`].
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    /// pcscd's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pcscd.log")).unwrap_or_default()
    }
}

impl Drop for VirtualReader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
