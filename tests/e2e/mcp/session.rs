//! `molt mcp` spoken to line by line, as a client that does not behave would.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::cache_home;
use crate::molt_bin;

/// `molt mcp` spoken to line by line.
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Messages read while waiting for another one.
    unclaimed: Vec<Value>,
}

impl Session {
    pub fn start(dir: &Path) -> Session {
        let mut child = Command::new(molt_bin())
            .arg("mcp")
            .current_dir(dir)
            .env("XDG_CACHE_HOME", cache_home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Session { stdin: child.stdin.take(), child, lines, unclaimed: Vec::new() };
        let init = s.request(
            0,
            "initialize",
            json!({ "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "e2e", "version": "1" } }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "molt", "{init}");
        s.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }).to_string());
        s
    }

    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message that `pick` accepts, within 60 s.
    pub fn wait(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unclaimed.iter().position(&pick) {
            return self.unclaimed.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|e| panic!("no answer from molt mcp: {e}"));
            let v: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout is not JSON-RPC ({e}): {line}"));
            if pick(&v) {
                return v;
            }
            self.unclaimed.push(v);
        }
    }

    pub fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string());
        self.wait(|v| v["id"] == id)
    }

    /// A tool call's result: (is_error, text).
    pub fn call(&mut self, id: u64, tool: &str, arguments: Value) -> (bool, String) {
        let v = self.request(id, "tools/call", json!({ "name": tool, "arguments": arguments }));
        let result = &v["result"];
        assert!(result.is_object(), "not a tool result: {v}");
        (result["isError"] == true, result["content"][0]["text"].as_str().unwrap_or_default().to_owned())
    }

    /// Closes stdin and waits for the server to end; its exit status.
    pub fn close(mut self, within: Duration) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("molt mcp still running {within:?} after its client left");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
