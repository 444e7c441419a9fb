"""Turns the benchmark's results (JSON lines) into BENCHMARKS.md.

    python3 bench/report.py RESULTS.jsonl BENCHMARKS.md SCALE DURATION "1 16 64"
"""

import datetime
import json
import os
import platform
import subprocess
import sys

results_path, out_path, scale, duration, concurrency = sys.argv[1:6]
rows = [json.loads(line) for line in open(results_path) if line.strip()]

NAMES = {
    "q1": "Q1 dashboard page (50 participants, open placements, employer, mentor)",
    "q2": "Q2 one placement with participant and employer",
    "q3": "Q3 propose a placement (mutation, audited)",
}
TARGETS = {  # at concurrency 64 on PostgreSQL
    "q1": 1500,
    "q2": 6000,
    "q3": 2500,
}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def memory_gib():
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "?"


def api(backend, op, c):
    for r in rows:
        if r["kind"] == "api" and r["backend"] == backend and r["op"] == op and r["c"] == c:
            return r
    return None


def pgbench(op, c):
    for r in rows:
        if r["kind"] == "pgbench" and r["op"] == op and r["c"] == c:
            return r
    return None


def rps(r):
    return r["requests"] / (r["duration_us"] / 1e6) if r and r["duration_us"] else 0.0


def per_request(r):
    return r["statements"] / r["graphql_requests"] if r and r["graphql_requests"] else 0.0


levels = [int(c) for c in concurrency.split()]
backends = [b for b in ("postgres", "sqlite") if any(r.get("backend") == b for r in rows)]
lines = []
w = lines.append
w("# Benchmarks")
w("")
w(f"Measured {datetime.date.today().isoformat()} by `bash bench/run` (one command; it")
w("installs wrk if missing, builds the release binary, seeds, serves, loads, and")
w("writes this file). Commit `" + sh("git", "rev-parse", "--short", "HEAD") + "`.")
w("")
w("## Machine")
w("")
w(f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory {memory_gib()}")
w(f"- OS: {platform.system()} {platform.release()}")
w(f"- PostgreSQL {sh('psql', '-At', os.environ.get('PG_URL', 'postgres://postgres@127.0.0.1:5432') + '/postgres', '-c', 'SHOW server_version')} on the same machine; SQLite embedded (WAL)")
WRK = sh("sh", "-c", "wrk -v 2>&1 | head -n1 | cut -d' ' -f2")
w(f"- Load: wrk {WRK} in a separate process on the same machine (so it shares the 2 cores)")
w(f"- Data: `portalen seed --scale {scale}`; each run {duration} s; concurrency {', '.join(map(str, levels))}")
w("- Server: release build, default settings (2 workers, pool of 10), rate limiting off, logs at warn;")
w("  PostgreSQL over loopback without TLS (`sslmode=disable`) for the server and pgbench alike;")
w("  a partner token (`norrkopings-kommun`), so every request runs row-scoped authorization;")
w("  Q3 writes its audit event in the same transaction.")
w("")

for backend in backends:
    w(f"## API on {'PostgreSQL' if backend == 'postgres' else 'SQLite (embedded)'}")
    w("")
    w("| operation | concurrency | requests/s | p50 ms | p99 ms | SQL statements / request | peak RSS MB | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op in ("q1", "q2", "q3"):
        for c in levels:
            r = api(backend, op, c)
            if not r:
                continue
            errors = r["socket_errors"] + r["non2xx"]
            w(f"| {op.upper()} | {c} | {rps(r):,.0f} | {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {per_request(r):.2f} | {r['peak_rss_kb'] / 1024:.0f} | {errors} |")
    w("")

if any(r["kind"] == "pgbench" for r in rows):
    w("## The same SQL straight to PostgreSQL (pgbench), and the API's share of it")
    w("")
    w("`pgbench -M prepared` runs the statements of each operation (`bench/pgbench_sql.py`")
    w("writes them from the database: the token's organisation, the row-scoped page or")
    w("row, one batched lookup per nested level; Q3 one transaction with the insert and")
    w("its audit event). The ratio is API requests/s over pgbench transactions/s.")
    w("")
    w("| operation | concurrency | pgbench tx/s | API requests/s | API / raw SQL |")
    w("| --- | ---: | ---: | ---: | ---: |")
    for op in ("q1", "q2", "q3"):
        for c in levels:
            p, r = pgbench(op, c), api("postgres", op, c)
            if not p:
                continue
            ratio = rps(r) / p["tps"] if p["tps"] else 0
            w(f"| {op.upper()} | {c} | {p['tps']:,.0f} | {rps(r):,.0f} | {ratio:.2f} |")
    w("")

w("## Targets (PostgreSQL, concurrency 64)")
w("")
w("| target | measured | |")
w("| --- | --- | --- |")
peak = max((r["peak_rss_kb"] for r in rows if r["kind"] == "api" and r["backend"] == "postgres"), default=0)
for op, target in TARGETS.items():
    r = api("postgres", op, 64)
    if not r:
        continue
    got = rps(r)
    line = f"| {op.upper()} ≥ {target:,} requests/s"
    extra = ""
    ok = got >= target
    if op == "q1":
        line += ", p99 < 100 ms"
        extra = f", p99 {r['p99_us'] / 1000:.1f} ms"
        ok = ok and r["p99_us"] < 100_000
    w(f"{line} | {got:,.0f}/s{extra} | {'met' if ok else 'missed'} |")
if peak:
    w(f"| server ≤ 100 MB resident under load | {peak / 1024:.0f} MB peak | {'met' if peak <= 100 * 1024 else 'missed'} |")
q1 = [per_request(api(b, "q1", c)) for b in backends for c in levels if api(b, "q1", c)]
if q1:
    w(f"| SQL statements per Q1 request constant, ≤ 5 | {min(q1):.2f} to {max(q1):.2f} | {'met' if max(q1) <= 5.05 else 'missed'} |")
w("")

w("## Seeding and start-up")
w("")
for r in rows:
    if r["kind"] == "seed":
        w(f"- `seed --scale {r['scale']}` on {r['backend']}: {r['seconds']} s")
    if r["kind"] == "startup":
        w(f"- start-up to ready on the seeded {r['backend']} database: {r['seconds']} s (includes process start and the migration check)")
    if r["kind"] == "rows":
        w(f"- Q3 runs on {r['backend']} created {r['placements_created']:,} placements (one per answered request)")
w("")
w("## Reproduce")
w("")
w("```sh")
w("bash bench/run                                   # everything, about 15 minutes")
w("BENCH_BACKENDS=postgres BENCH_DURATION=30 bash bench/run")
w("```")
w("")
w("Raw results of this run: `bench/last-results.jsonl`.")
open(out_path, "w").write("\n".join(lines) + "\n")
