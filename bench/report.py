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
levels = [int(c) for c in concurrency.split()]

NAMES = {
    "q1": "Q1 dashboard page: 50 participants with pageInfo, each one's active placements with employer and mentor",
    "q2": "Q2 one placement by id with its participant and employer",
    "q3": "Q3 propose a placement (Portalen: row rules, audit event, one transaction)",
}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def read_first(path, prefix):
    try:
        for line in open(path):
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def cell(system, backend, op, c):
    for r in rows:
        if r["kind"] == "load" and (r["system"], r["backend"], r["op"], r["c"]) == (system, backend, op, c):
            return r
    return None


def rps(r):
    return r["requests"] / (r["duration_us"] / 1e6) if r and r["duration_us"] else 0.0


def per_request(r):
    return r["statements"] / r["graphql_requests"] if r and r.get("graphql_requests") else 0.0


def errors(r):
    return r["socket_errors"] + r["non2xx"]


def ms(us):
    return f"{us / 1000:.1f}"


def first(kind, **match):
    return next((r for r in rows if r["kind"] == kind and all(r.get(k) == v for k, v in match.items())), None)


lines = []
w = lines.append
w("# Benchmarks")
w("")
w(f"Measured {datetime.date.today().isoformat()} by `bash bench/run` at commit `{sh('git', 'rev-parse', '--short', 'HEAD')}`")
w("(one command: it installs wrk and the peer if missing, builds the release binary, seeds,")
w("serves both systems, loads them in turn cell by cell, and writes this file).")
w("")
w("## Set-up")
w("")
w(f"- Machine: {read_first('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores, "
  f"{int(read_first('/proc/meminfo', 'MemTotal').split()[0]) / 1048576:.0f} GiB; {platform.system()} {platform.release()}")
pg = sh("psql", "-At", os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432") + "/postgres", "-c", "SHOW server_version")
w(f"- PostgreSQL {pg} on the same machine, one database served by both systems; SQLite embedded (WAL)")
WRK = sh("sh", "-c", "wrk -v 2>&1 | head -n1 | cut -d' ' -f2")
w(f"- Load: wrk {WRK}, one thread, in a separate process on the same machine; {duration} s per cell; concurrency {', '.join(map(str, levels))}")
data = first("data", backend="postgres") or first("data", backend="sqlite")
if data:
    w(f"- Data: `portalen seed --scale {scale}`: {data['participants']:,} participants, {data['employers']:,} employers, "
      f"{data['mentors']:,} mentors, {data['slots']:,} slots, {data['placements']:,} placements ({data['active_placements'] / max(1, data['placements']):.0%} active)")
w("- Portalen: release build, default settings, rate limiting off, logs at warn, a partner token")
w("  (`norrkopings-kommun`): every request runs the row rules; Q3 writes its audit event in its transaction.")
w("- Peer: PostGraphile 5 (`bench/peer`, pinned by its lockfile) in one node process on the same")
w("  database, no authentication, no row security, no audit; its Q3 is a plain insert.")
w("- Both answer from the same rows: the peer's Q2 and Q3 bodies carry the ids of Portalen's Q1 page.")
sizes = [first("answer", system="portalen", backend="postgres", op="q1"), first("answer", system="peer", op="q1")]
if all(sizes):
    w(f"- Q1 answer: Portalen {sizes[0]['bytes'] / 1024:.1f} KB, peer {sizes[1]['bytes'] / 1024:.1f} KB "
      "(the peer's carries its node ids beside the row ids).")
w("- Disturbance: the share of the machine's CPU used by anything other than the server, PostgreSQL")
w("  and wrk during the cell; compare only cells where it is small.")
w("")

has_peer = any(r["kind"] == "load" and r["system"] == "peer" for r in rows)
if any(r["kind"] == "load" and r["backend"] == "postgres" for r in rows):
    w("## PostgreSQL: Portalen beside the peer")
    w("")
    w("| operation | c | Portalen req/s | p50 ms | p99 ms | peer req/s | p50 ms | p99 ms | Portalen / peer | statements / request | Portalen RSS MB | CPU server / PostgreSQL (Portalen) | CPU server / PostgreSQL (peer) | disturbance | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op in ("q1", "q2", "q3"):
        for c in levels:
            a, p = cell("portalen", "postgres", op, c), cell("peer", "postgres", op, c)
            if not a:
                continue
            peer = (f"{rps(p):,.0f} | {ms(p['p50_us'])} | {ms(p['p99_us'])} | {rps(a) / rps(p):.2f}" if p and rps(p) else "– | – | – | –")
            cpu = lambda r: f"{r['server_cpu_s'] / r['wall_s']:.2f} / {r['postgres_cpu_s'] / r['wall_s']:.2f}" if r else "–"
            dist = max(a["disturbance"], p["disturbance"] if p else 0)
            errs = errors(a) + (errors(p) if p else 0)
            w(f"| {op.upper()} | {c} | {rps(a):,.0f} | {ms(a['p50_us'])} | {ms(a['p99_us'])} | {peer} | {per_request(a):.2f} | "
              f"{a['server_rss_max_kb'] / 1024:.0f} | {cpu(a)} | {cpu(p)} | {dist:.0%} | {errs} |")
    w("")
    w("CPU columns are cores busy on average during the cell (2 = both cores).")
    w("")

if any(r["kind"] == "load" and r["backend"] == "sqlite" for r in rows):
    w("## Portalen on the embedded SQLite database")
    w("")
    w("| operation | c | req/s | p50 ms | p99 ms | statements / request | RSS MB | disturbance | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op in ("q1", "q2", "q3"):
        for c in levels:
            a = cell("portalen", "sqlite", op, c)
            if a:
                w(f"| {op.upper()} | {c} | {rps(a):,.0f} | {ms(a['p50_us'])} | {ms(a['p99_us'])} | {per_request(a):.2f} | "
                  f"{a['server_rss_max_kb'] / 1024:.0f} | {a['disturbance']:.0%} | {errors(a)} |")
    w("")

if has_peer:
    w("## Targets (PostgreSQL, concurrency 64, partner token, audit on, the peer in the same window)")
    w("")
    w("| target | measured | |")
    w("| --- | --- | --- |")

    def target(label, got, ok):
        w(f"| {label} | {got} | {'met' if ok else 'missed'} |")

    a, p = cell("portalen", "postgres", "q1", 64), cell("peer", "postgres", "q1", 64)
    if a and p:
        ratio = rps(a) / rps(p)
        target("Q1 ≥ 2× the peer's requests/s", f"{ratio:.2f}×", ratio >= 2)
        target("Q1 p99 ≤ half the peer's", f"{ms(a['p99_us'])} ms against {ms(p['p99_us'])} ms", a["p99_us"] * 2 <= p["p99_us"])
    a, p = cell("portalen", "postgres", "q1", 1), cell("peer", "postgres", "q1", 1)
    if a and p:
        target("Q1 at concurrency 1: p50 ≤ the peer's", f"{ms(a['p50_us'])} ms against {ms(p['p50_us'])} ms", a["p50_us"] <= p["p50_us"])
    for op, want in (("q2", 2.0), ("q3", 1.5)):
        a, p = cell("portalen", "postgres", op, 64), cell("peer", "postgres", op, 64)
        if a and p:
            ratio = rps(a) / rps(p)
            target(f"{op.upper()} ≥ {want:g}× the peer's requests/s", f"{ratio:.2f}×", ratio >= want)
    peak = max((r["server_rss_max_kb"] for r in rows if r["kind"] == "load" and r["system"] == "portalen" and r["backend"] == "postgres"), default=0)
    target("server ≤ 100 MB resident under that load", f"{peak / 1024:.0f} MB at most", peak <= 100 * 1024)
    q1 = [per_request(cell("portalen", b, "q1", c)) for b in ("postgres", "sqlite") for c in levels if cell("portalen", b, "q1", c)]
    if q1:
        target("SQL statements per Q1 a small constant (≤ 6)", f"{min(q1):.2f} to {max(q1):.2f}", max(q1) <= 6.05)
    w("")

w("## Seeding and start-up")
w("")
for r in rows:
    if r["kind"] == "seed":
        w(f"- `seed --scale {r['scale']}` on {r['backend']}: {r['seconds']} s")
    if r["kind"] == "startup":
        w(f"- start-up to ready on the seeded {r['backend']} database: {r['seconds']} s")
w("")
w("## Reproduce")
w("")
w("```sh")
w("bash bench/run                                       # everything, about 25 minutes")
w("BENCH_BACKENDS=postgres BENCH_CONCURRENCY=64 bash bench/run")
w("```")
w("")
w("Raw results of this run: `bench/last-results.jsonl`.")
open(out_path, "w").write("\n".join(lines) + "\n")
