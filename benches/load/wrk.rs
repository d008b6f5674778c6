//! Drives the server with wrk (Debian's package, installed by
//! `scripts/bench`) and samples the server's memory meanwhile.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::server::Server;

/// Prints wrk's summary as one JSON line.
const REPORT: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nCLU_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// POSTs answers through the links listed in CLU_BENCH_LINKS, one per line.
/// Each wrk thread takes its own share of the links and goes round them,
/// accepting then declining, so that every request is a real change.
const ANSWERS: &str = r#"
local links = {}
for line in io.lines(os.getenv("CLU_BENCH_LINKS")) do links[#links + 1] = line end
local threads = tonumber(os.getenv("CLU_BENCH_THREADS"))
local created = 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
end
local sent = 0
local headers = { ["Content-Type"] = "application/json" }
local accept = '{"response":"accepted","mode":"in_person"}'
local decline = '{"response":"declined"}'
request = function()
  local share = math.floor(#links / threads)
  local k = sent % share
  local round = math.floor(sent / share)
  sent = sent + 1
  local body = accept
  if round % 2 == 1 then body = decline end
  return wrk.format("POST", "/api/v1/rsvp/" .. links[tid * share + k + 1], headers, body)
end
"#;

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Connection, read, write errors and timeouts.
    pub socket_errors: u64,
    /// Answers outside 2xx and 3xx.
    pub bad_status: u64,
    /// The server's most resident memory during the run, in KiB.
    pub rss_kib: u64,
}

pub struct Load<'a> {
    /// Where the load goes: `http://host:port`.
    pub base: &'a str,
    /// The `clu serve` whose memory is sampled meanwhile, if any (the
    /// reference server runs inside the bench process).
    pub server: Option<&'a Server>,
    pub work_dir: &'a Path,
    pub seconds: u64,
    pub threads: u32,
    pub connections: u32,
}

impl Load<'_> {
    /// GETs `path` as fast as the server answers.
    pub fn get(&self, path: &str, token: Option<&str>) -> Result<Outcome, String> {
        self.get_with(path, token, &[])
    }

    /// GETs `path` with more headers (`If-None-Match: …`). wrk counts
    /// only answers of 400 and above as errors: a 304 is a success.
    pub fn get_with(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[String],
    ) -> Result<Outcome, String> {
        let script = self.work_dir.join("report.lua");
        fs::write(&script, REPORT).map_err(|e| e.to_string())?;
        let mut args = Vec::new();
        if let Some(token) = token {
            args.push("-H".to_owned());
            args.push(format!("Authorization: Bearer {token}"));
        }
        for header in headers {
            args.push("-H".to_owned());
            args.push(header.clone());
        }
        self.run(&script, &format!("{}{path}", self.base), &args, &[])
    }

    /// POSTs answers through `links`.
    pub fn answers(&self, links: &[String]) -> Result<Outcome, String> {
        let script = self.work_dir.join("answers.lua");
        fs::write(&script, format!("{ANSWERS}{REPORT}")).map_err(|e| e.to_string())?;
        let list = self.work_dir.join("links.txt");
        fs::write(&list, links.join("\n")).map_err(|e| e.to_string())?;
        let env = [
            ("CLU_BENCH_LINKS", list.display().to_string()),
            ("CLU_BENCH_THREADS", self.threads.to_string()),
        ];
        self.run(&script, self.base, &[], &env)
    }

    fn run(
        &self,
        script: &Path,
        url: &str,
        args: &[String],
        env: &[(&str, String)],
    ) -> Result<Outcome, String> {
        let mut child = Command::new("wrk")
            .arg(format!("-t{}", self.threads))
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{}s", self.seconds))
            .arg("--timeout")
            .arg("10s")
            .arg("-s")
            .arg(script)
            .args(args)
            .arg(url)
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("wrk: {e} (scripts/bench installs it)"))?;
        let mut rss_kib = 0;
        while matches!(child.try_wait(), Ok(None)) {
            rss_kib = rss_kib.max(self.server.map_or(0, Server::rss_kib));
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("CLU_RESULT "))
            .ok_or_else(|| {
                format!(
                    "wrk printed no result: {stdout}{}",
                    String::from_utf8_lossy(&output.stderr)
                )
            })?;
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        let seconds = n("duration_us") as f64 / 1e6;
        Ok(Outcome {
            requests: n("requests"),
            per_second: n("requests") as f64 / seconds.max(1e-9),
            p50_ms: n("p50_us") as f64 / 1e3,
            p99_ms: n("p99_us") as f64 / 1e3,
            socket_errors: n("connect") + n("read") + n("write") + n("timeout"),
            bad_status: n("status"),
            rss_kib,
        })
    }
}
