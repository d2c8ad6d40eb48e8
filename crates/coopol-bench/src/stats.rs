//! Small measuring helpers: latency percentiles, CPU time of a process, the machine's
//! description.

use std::time::Duration;

/// Latency summary of a set of samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    /// Summarises `samples` (sorted in place).
    pub fn of(samples: &mut [Duration]) -> Latency {
        samples.sort_unstable();
        Latency {
            p50: percentile(samples, 50.0),
            p90: percentile(samples, 90.0),
            p99: percentile(samples, 99.0),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// Nearest-rank percentile of sorted samples; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let idx = rank.saturating_sub(1).min(sorted.len() - 1);
    sorted.get(idx).copied().unwrap_or_default()
}

/// Milliseconds with two decimals, for reports.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The distinct messages among `items`, most frequent first, each with its count
/// ("500: internal error (x12)"); at most five.
pub fn tally(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(m, _)| *m == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().take(5).map(|(m, n)| format!("{m} (x{n})")).collect()
}

/// Clock ticks per second of `/proc/*/stat` times (almost always 100 on Linux).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// User + system CPU time consumed so far by a process (all its threads), read from
/// `/proc/<pid>/stat`; `None` when it cannot be read (not Linux, process gone).
pub fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    let (_, rest) = text.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 of the man page, utime 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_secs_f64((utime + stime) / clock_ticks()))
}

/// Peak resident memory of a process (`VmHWM`), in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU use of the server and of the bench itself over one measured interval.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    pub coopol: Option<Duration>,
    pub bench: Option<Duration>,
}

/// A snapshot of both processes' CPU times, to subtract from a later one.
#[derive(Debug, Clone, Copy)]
pub struct CpuSnapshot {
    coopol: Option<Duration>,
    bench: Option<Duration>,
}

impl CpuSnapshot {
    pub fn take(coopol_pid: Option<u32>) -> CpuSnapshot {
        CpuSnapshot { coopol: coopol_pid.and_then(|p| cpu_time(Some(p))), bench: cpu_time(None) }
    }

    /// CPU used since `self`.
    pub fn since(&self, coopol_pid: Option<u32>) -> CpuUse {
        let now = CpuSnapshot::take(coopol_pid);
        CpuUse {
            coopol: now.coopol.zip(self.coopol).map(|(b, a)| b.saturating_sub(a)),
            bench: now.bench.zip(self.bench).map(|(b, a)| b.saturating_sub(a)),
        }
    }
}

impl CpuUse {
    /// "coopol 1.62 cores, bench 0.31 cores" over `wall`.
    pub fn describe(&self, wall: Duration) -> String {
        let cores = |d: Option<Duration>| match d {
            Some(d) if wall > Duration::ZERO => {
                format!("{:.2} cores", d.as_secs_f64() / wall.as_secs_f64())
            }
            _ => "n/a".to_string(),
        };
        format!("coopol {}, bench {} (of {} available)", cores(self.coopol), cores(self.bench), cpus())
    }
}

/// Number of CPUs this process may use (what `nproc` prints).
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Total memory from `/proc/meminfo`, in GiB.
pub fn mem_total_gib() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::of(&mut v);
        assert_eq!(l.p50, Duration::from_millis(50));
        assert_eq!(l.p99, Duration::from_millis(99));
        assert_eq!(l.max, Duration::from_millis(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
        assert_eq!(percentile(&[Duration::from_millis(7)], 99.0), Duration::from_millis(7));
    }

    #[test]
    fn failures_are_tallied() {
        let t = tally(["a".to_string(), "b".to_string(), "b".to_string()]);
        assert_eq!(t, vec!["b (x2)".to_string(), "a (x1)".to_string()]);
    }

    #[test]
    fn own_cpu_time_is_readable_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(cpu_time(None).is_some());
        }
    }
}
