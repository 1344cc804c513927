//! The benchmark, in one command (Linux; a release build):
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench -- L    # or XL, or a customer count
//! cargo run --release --example bench -- L --profile wave               # one profile only
//! cargo run --release --example bench -- L --before /tmp/skusunset-old    # before and after
//! ```
//!
//! For each profile (`ordinary`, then `wave`: see `generate.rs`) it writes a deterministic
//! partner book into `/tmp/skusunset-bench-<scale>-<profile>` (once; `--dir DIR` puts the
//! profiles' folders there), then runs, each as its own process, measuring wall time and
//! peak resident memory (`wait4`): the floor — polars reading the same CSV files with every column
//! as text, in this same polars build — a DuckDB SQL script computing the same `expiring` and
//! `users` tables (`duckdb_baseline.py`, when `python3 -c "import duckdb"` works), and
//! `skusunset report` with `--format csv,json`, `xlsx` and `html`. It prints one Markdown table
//! row per run for `BENCHMARKS.md`. With `--before BIN`, each report run is measured with that
//! (older) binary first and then with this build's, in the same run as the floor and DuckDB.
//! Each report run writes into a fresh folder; the folder an earlier run left is set aside and
//! deleted when the bench ends, so no run creates its files just after others were deleted (an
//! XL wave keeps about 14 GB of outputs until then).

mod generate;

use anyhow::{Context, Result, bail};
use generate::Profile;
use polars_io::SerReader;
use polars_io::csv::read::CsvReadOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured process.
struct Measured {
    wall: Duration,
    peak_rss_bytes: u64,
}

/// Runs `cmd` to its end; fails unless it exits 0.
fn measure(cmd: &mut Command) -> Result<Measured> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start")?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let wall = started.elapsed();
    std::mem::forget(child); // reaped by wait4 above
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{cmd:?} failed (status {status})");
    }
    Ok(Measured {
        wall,
        peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
    })
}

/// `bench floor FILE...`: polars reads every file with all columns as text.
fn floor(files: &[String]) -> Result<()> {
    for file in files {
        let first = std::fs::read(file)?;
        let skip = usize::from(first.starts_with(b"#TYPE"));
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_skip_rows(skip)
            .try_into_reader_with_file_path(Some(file.into()))?
            .finish()?;
        println!("{file}: {} rows × {} columns", df.height(), df.width());
    }
    Ok(())
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else {
        format!("{:.0} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("floor") {
        return floor(&args[1..]);
    }
    let scale = args.first().cloned().unwrap_or_else(|| "L".to_string());
    let customers: u64 = match scale.as_str() {
        "L" => 20_000,
        "XL" => 100_000,
        n => n
            .parse()
            .context("the scale is L, XL or a number of customers")?,
    };
    let option = |name: &str| -> Result<Option<&String>> {
        match args.iter().position(|a| a == name) {
            Some(i) => Ok(Some(args.get(i + 1).context("a value after the option")?)),
            None => Ok(None),
        }
    };
    let root = option("--dir")?.map_or_else(std::env::temp_dir, PathBuf::from);
    let profiles = match option("--profile")?.map(String::as_str) {
        None | Some("both") => vec![Profile::Ordinary, Profile::Wave],
        Some("ordinary") => vec![Profile::Ordinary],
        Some("wave") => vec![Profile::Wave],
        Some(other) => bail!("--profile is ordinary, wave or both, not {other}"),
    };
    let before = option("--before")?.map(PathBuf::from);
    println!("| profile | run | wall | peak RSS | × floor (time) | note |");
    println!("|---|---|---|---|---|---|");
    let mut dirs = Vec::new();
    for profile in profiles {
        let dir = root.join(format!("skusunset-bench-{scale}-{}", profile.name()));
        run_profile(&dir, customers, profile, before.as_deref())?;
        dirs.push(dir);
    }
    // The earlier outputs go only now, when nothing is measured any more: see `set_aside`.
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir.join(SET_ASIDE));
    }
    Ok(())
}

/// Where a profile's earlier report folders wait until the bench ends.
const SET_ASIDE: &str = "set-aside";

/// Moves an earlier report folder out of the way (a run reports into a fresh folder; a rerun
/// into the same one would time the weekly comparison) without deleting it: ext4 skips inodes
/// freed in the last minutes when it allocates new ones, so a run creating thousands of files
/// (the runbooks) right after another run's were deleted pays for it (`recently_deleted`,
/// `find_inode_bit`). A weekly run creates its files long after last week's were deleted.
fn set_aside(dir: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let aside = dir.join(SET_ASIDE);
    std::fs::create_dir_all(&aside)?;
    let mut n = 0;
    while aside.join(n.to_string()).exists() {
        n += 1;
    }
    std::fs::rename(out, aside.join(n.to_string()))?;
    Ok(())
}

/// Generates (once) and measures one profile's book, printing a table row per run.
// Over the house's 80 lines: one measured run after another, printed as a table.
#[allow(clippy::too_many_lines)]
fn run_profile(dir: &Path, customers: u64, profile: Profile, before: Option<&Path>) -> Result<()> {
    let p = profile.name();
    let marker = dir.join(format!(".generated-{customers}-v3"));
    if !marker.exists() {
        eprintln!(
            "generating {customers} customers ({p}) into {}",
            dir.display()
        );
        let book = generate::write_book(dir, customers, profile)?;
        std::fs::write(
            &marker,
            format!("{} {}\n", book.subscriptions, book.license_rows),
        )?;
    }
    let counts = std::fs::read_to_string(&marker)?;
    let (subscriptions, license_rows) = counts.trim().split_once(' ').context("marker")?;
    let files: Vec<PathBuf> = [
        "subscriptions.csv",
        "licenses-long.csv",
        "licenses-wide.csv",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let megabytes: u64 = files.iter().map(|f| file_size(f)).sum::<u64>() >> 20;
    let input = format!(
        "{customers} customers: {subscriptions} subscriptions + {license_rows} license rows \
         ({megabytes} MB)"
    );

    let me = std::env::current_exe()?;
    let bin = me
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("skusunset"))
        .filter(|b| b.is_file())
        .context("no skusunset binary next to the examples; run `cargo build --release` first")?;
    eprintln!("{input}\nfloor: polars reading the CSV files, every column as text");
    let floor = measure(Command::new(&me).arg("floor").args(&files))?;
    println!(
        "| {p} | floor: polars CSV reader, all columns as text | {:.2} s | {} | 1.0 | {input} |",
        floor.wall.as_secs_f64(),
        mib(floor.peak_rss_bytes)
    );
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench/duckdb_baseline.py");
    // DuckDB reads the built-in SKU table as plain CSV: unpack it beside the data.
    let skus = dir.join("skus.csv");
    let packed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/skus.csv.gz"))?;
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )?;
    std::fs::write(&skus, unpacked)?;
    let duckdb = Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if duckdb {
        let out = dir.join("out-duckdb");
        std::fs::create_dir_all(&out)?;
        eprintln!("DuckDB SQL: expiring + users");
        let run = measure(
            Command::new("python3")
                .arg(&baseline)
                .arg(dir)
                .arg(&out)
                .arg(&skus),
        )?;
        println!(
            "| {p} | DuckDB SQL (`examples/bench/duckdb_baseline.py`): `expiring` + `users` | \
             {:.2} s | {} | {:.1} | the same rows as skusunset's CSVs |",
            run.wall.as_secs_f64(),
            mib(run.peak_rss_bytes),
            run.wall.as_secs_f64() / floor.wall.as_secs_f64()
        );
    } else {
        eprintln!("skipping the DuckDB baseline: `pip install duckdb` to include it");
    }
    let bins: Vec<(&str, &Path)> = before
        .map(|b| ("before: ", b))
        .into_iter()
        .chain([(if before.is_some() { "after: " } else { "" }, bin.as_path())])
        .collect();
    for (formats, (which, bin)) in ["csv,json", "xlsx", "html"]
        .into_iter()
        .flat_map(|f| bins.iter().map(move |b| (f, *b)))
    {
        let out = dir.join(format!("out-{}", formats.replace(',', "-")));
        set_aside(dir, &out)?;
        eprintln!("{which}report --format {formats}");
        let run = measure(
            Command::new(bin)
                .args(["report", "--as-of", "2026-11-21", "--format", formats, "-s"])
                .arg(&files[0])
                .arg("-l")
                .arg(&files[1])
                .arg("-l")
                .arg(&files[2])
                .arg("--out")
                .arg(&out),
        )?;
        let note = if formats == "html" {
            let runbooks = std::fs::read_dir(out.join("runbooks"))?.count() as f64 - 1.0;
            format!(
                "{runbooks} runbooks, {:.0} per second of the whole run",
                runbooks / run.wall.as_secs_f64()
            )
        } else {
            String::new()
        };
        println!(
            "| {p} | {which}`report --format {formats}` | {:.2} s | {} | {:.1} | {note} |",
            run.wall.as_secs_f64(),
            mib(run.peak_rss_bytes),
            run.wall.as_secs_f64() / floor.wall.as_secs_f64()
        );
    }
    Ok(())
}
