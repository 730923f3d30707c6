#!/usr/bin/env python3
"""Round trips of delegated calls (`make bench-delegation`): a null call and a 4 KiB read, in
Bochs cycles (exact: clock: sync=none), for each way the two sides can wait:

  spin      the caller re-reads the response ring; vlibosd busy-polls the request ring
  poll      the caller sleeps 50 us between looks; vlibosd busy-polls
  doorbell  the caller sleeps until vlibosd's VMCALL doorbell (hypervisor -> thread_wake IPI)
  poll, idle daemon   as poll, but vlibosd blocks after 2000 empty looks until the master wakes
            it through the slave's UART interrupt (the default)
  poll, polling daemon   as poll, but vlibosd sleeps 200 us between looks (vlibos.block=0: how it
            waited before it could be woken)
  babysat   the slave has no CPU of its own: the caller (on the slave's CPU) runs it inside its
            own budget until it rings; calls back to back (the slave is never frozen for long)

and the slave's VM exits per delegated call: the same run with 20 and with N + 20 calls, the
difference / 3N (each run makes N null calls and N lseek + read pairs, after a few set-up calls). The channel's fast path
needs no VM exit at all: the spin and poll rows show 0. The "cold" column is the first null
call after 3 s without calls (delegbench's deleg_cold): what waking an idle daemon costs.

Then the null call with 1, 2 and 4 callers at once (`delegbench concurrent=4`: each caller a
thread on a VCPU of its own, 12% of 10 ms (babysat: 22%, the slave runs in those budgets), all
starting a call every 10 ms at the same instant, 3 s after the daemon came up: 0.5 s after it,
poll mode's first phase (one caller) took 1 to 4 million cycles a call in some builds and not in
others, which is not explained yet; babysat mode 0.5 s after it: with the slave parked 3 s, the
first call timed out in some runs, not explained yet either),
per mode: the round trip each caller sees while the others' calls are served too
(`--concurrent-only` skips the first table).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

# The baseline run makes a few calls too, so that both runs reach the same point of the slave's
# start-up (its init script's own programs take exits of their own) before the difference.
BASE_CALLS = 20
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: where a build's kernel is)
MODES = [("spin", "spin", "vlibos.spin=-1", ""), ("poll", "poll", "vlibos.spin=-1", ""),
         ("doorbell", "doorbell", "vlibos.spin=-1", ""), ("poll, idle daemon", "poll", "vlibos.spin=2000", ""),
         ("poll, polling daemon", "poll", "vlibos.spin=2000,vlibos.block=0", ""),
         ("babysat: the caller runs the slave on CPU 1 in its own budget", "babysat", "vlibos.spin=-1", " cpu=1")]


# (label, libos=, slave_append=, delegbench's extra arguments, ms from the daemon's start to the
# first phase: see the docstring)
CONCURRENT_MODES = [("spin", "spin", "vlibos.spin=-1", "", 3000), ("poll", "poll", "vlibos.spin=-1", "", 3000),
                    ("doorbell", "doorbell", "vlibos.spin=2000", "", 3000),
                    ("babysat (callers on CPU 1, 22% each)", "babysat", "vlibos.spin=-1", " cpu=1 budget_pct=22",
                     500)]


def run(kernel, libos, append, calls, where=""):
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "console.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/run.py"), "bochs", "--kernel", kernel, "--slave",
                        "--cmdline", f"exit=emu slave_run=serve libos={libos} slave_append={append}",
                        "--app", f"delegbench {calls}{where}", "--timeout", "400", "--quiet", "--log", log],
                       capture_output=True, text=True)
        return open(log, errors="replace").read()


def metric(text, name):
    m = re.search(rf"^@@ metric={name} value=(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def exits(text):
    m = re.search(r"^@@ guest_exits name=linux (.*)$", text, re.M)
    return {k: int(v) for k, v in (kv.split("=", 1) for kv in m.group(1).split())} if m else {}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default=kit.kernel_path(os.environ.get("SOLVED", "all")),
                    help="the kernel image (default: the build of $SOLVED, else all, as in the Makefile)")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--concurrent-only", action="store_true")
    a = ap.parse_args()
    if not a.concurrent_only:
        single(a)
    print("\n## Null call round trip with concurrent callers, Bochs cycles (min / avg / max)\n")
    print("| mode | 1 caller | 2 callers | 4 callers |")
    print("|---|---|---|---|")
    for label, libos, append, where, settle_ms in CONCURRENT_MODES:
        out = run(a.kernel, libos, append, f"concurrent=4 calls=20 settle_ms={settle_ms}", where)
        cells = []
        for n in (1, 2, 4):
            v = [metric(out, f"deleg_nop_c{n}_{k}") for k in ("min", "avg", "max")]
            cells.append("/".join(f"{x:,}" for x in v) if None not in v else "(no result)")
        print(f"| {label} | {' | '.join(cells)} |")
    return 0


def single(a):
    print("\n## Delegated calls to the Linux slave, round trip in Bochs cycles (1 cycle = 100 ns at ips 10M)\n")
    print("| caller waits / daemon | null call min / avg / max | 4 KiB read min / avg / max | cold null call | slave VM exits per call |")
    print("|---|---|---|---|---|")
    for label, libos, append, where in MODES:
        full = run(a.kernel, libos, append, f"calls={a.calls + BASE_CALLS}", where)
        base = run(a.kernel, libos, append, f"calls={BASE_CALLS}", where)
        if metric(full, "deleg_nop_min") is None:
            print(f"| {label} | (no result: see a run by hand) | | | |")
            continue
        e1, e0 = exits(full), exits(base)
        calls = 3 * a.calls  # N null calls, N lseeks, N reads
        delta = {k: e1.get(k, 0) - e0.get(k, 0) for k in e1 if k != "total" and e1.get(k, 0) != e0.get(k, 0)}
        per = (e1.get("total", 0) - e0.get("total", 0)) / calls
        why = ", ".join(f"{k} {v / calls:.2f}" for k, v in sorted(delta.items())) or "none"
        nop = "/".join(f"{metric(full, 'deleg_nop_' + k):,}" for k in ("min", "avg", "max"))
        rd = "/".join(f"{metric(full, 'deleg_read4k_' + k):,}" for k in ("min", "avg", "max"))
        cold = metric(full, "deleg_cold")
        print(f"| {label} | {nop} | {rd} | {cold:,} | {per:.2f} ({why}) |" if cold is not None else
              f"| {label} | {nop} | {rd} | - | {per:.2f} ({why}) |")


if __name__ == "__main__":
    sys.exit(main())
