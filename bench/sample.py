"""Samples where the machine's CPU goes while one benchmark cell runs.

    python3 bench/sample.py OUT.json SERVER_PID   (until SIGTERM)

Every 0.2 s it reads /proc: the machine's busy time, and the CPU time of the
server process, of PostgreSQL's processes and of the load generator (wrk).
At the end it writes, in CPU seconds: server, postgres, loadgen, other (the
machine's busy time less those three: another job, the sampler itself) and
the server's largest resident set in KiB. `other` over the cores' time is the
disturbance column of BENCHMARKS.md: compare only cells where it is small.
"""

import json
import os
import signal
import sys
import time

out_path, server_pid = sys.argv[1], int(sys.argv[2])
TICK = os.sysconf("SC_CLK_TCK")
cores = os.cpu_count() or 1


def busy():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


def processes():
    """{pid: (category, cpu seconds)} for the processes this sample tracks."""
    seen = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            raw = open(f"/proc/{name}/stat").read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        pid = int(name)
        if pid == server_pid:
            category = "server"
        elif comm.startswith("postgres") or comm.startswith("postmaster"):
            category = "postgres"
        elif comm == "wrk":
            category = "loadgen"
        else:
            continue
        seen[pid] = (category, (int(rest[11]) + int(rest[12])) / TICK)
    return seen


def rss_kb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


first, last = {}, {}
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
t0, b0 = time.monotonic(), busy()
rss_max = 0
while not stop:
    for pid, (category, cpu) in processes().items():
        first.setdefault(pid, (category, cpu))
        last[pid] = (category, cpu)
    rss_max = max(rss_max, rss_kb(server_pid))
    time.sleep(0.2)
wall, total = time.monotonic() - t0, busy() - b0
spent = {"server": 0.0, "postgres": 0.0, "loadgen": 0.0}
for pid, (category, cpu) in last.items():
    spent[category] += cpu - first[pid][1]
other = max(0.0, total - sum(spent.values()))
json.dump(
    {
        "wall_s": round(wall, 2),
        "busy_s": round(total, 2),
        **{f"{k}_cpu_s": round(v, 2) for k, v in spent.items()},
        "other_cpu_s": round(other, 2),
        "disturbance": round(other / (wall * cores), 3) if wall else 0,
        "server_rss_max_kb": rss_max,
    },
    open(out_path, "w"),
)
