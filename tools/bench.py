#!/usr/bin/env python3
"""`make bench`: the master's costs in Bochs cycles (exact: the TSC counts instructions with
clock: sync=none) and in QEMU (host TSC ticks turned into ns; noisy on shared machines, so the
median of several runs).

    tools/bench.py [--kernel build/solved-.../kernel.elf] [--qemu-runs 3]

Each configuration is one boot: the kernel's `bench` suite plus the `bench` application, then
two rtlat instances at once (CPU 0 alone, CPU 1 next to a CPU hog on a lower-priority VCPU).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: where a build's kernel is)
RTLAT = "threads=2 period_us=10000 loops=1000"
ROWS = [
    ("yield_switch", "kernel thread switch via thread_yield"),
    ("syscall_round_trip", "system call round trip (SYS_TIME)"),
    ("user_yield_round_trip", "yield round trip, two user threads"),
    ("ipi_round_trip_median", "IPI round trip CPU0 -> CPU1 -> CPU0"),
    ("cpuid_exit_round_trip", "CPUID VM exit round trip (guest-timed)"),
    ("vmcall_exit_round_trip", "VMCALL VM exit round trip (guest-timed)"),
    ("guest_fpu_switch", "guest FPU switch: XSAVE one guest, XRSTOR another"),
    ("guest_fpu_enter_leave", "guest FPU, alone on its CPU: XCR0 in and out"),
    ("rtlat_t0_min", "rtlat T0 wakeup latency min, idle"),
    ("rtlat_t0_avg", "rtlat T0 wakeup latency avg, idle"),
    ("rtlat_t0_max", "rtlat T0 wakeup latency max, idle"),
    ("rtlat_hog_t0_min", "rtlat T0 wakeup latency min, with hog"),
    ("rtlat_hog_t0_avg", "rtlat T0 wakeup latency avg, with hog"),
    ("rtlat_hog_t0_max", "rtlat T0 wakeup latency max, with hog"),
    ("rtlat_misses", "rtlat deadline misses, idle"),
    ("rtlat_hog_misses", "rtlat deadline misses, with hog"),
    ("boot_to_main", "boot: reset to kernel_main"),
    ("all_aps_up", "boot: starting the APs"),
]


def run(emu, kernel, cmdline, apps, timeout=300):
    cmd = [sys.executable, os.path.join(ROOT, "tools", "run.py"), emu, "--kernel", kernel, "--cmdline", cmdline,
           "--timeout", str(timeout), "--quiet"]
    for a in apps:
        cmd += ["--app", a]
    if emu == "bochs":
        pass
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    logf = None
    return out


def metrics(emu, kernel):
    """Run both boots once, return {metric: value} and the TSC rate."""
    vals = {}
    for cmdline, apps in (("exit=emu test=bench", ["bench"]),
                          ("exit=emu", [f"rtlat cpu=0 {RTLAT}", f"rtlat cpu=1 {RTLAT} hog"])):
        log = os.path.join(ROOT, "build", f"bench-{emu}.log")
        cmd = [sys.executable, os.path.join(ROOT, "tools", "run.py"), emu, "--kernel", kernel, "--cmdline", cmdline,
               "--timeout", "300", "--quiet", "--log", log]
        for a in apps:
            cmd += ["--app", a]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            print(r.stdout[-3000:])
            sys.exit(f"bench: the {emu} run failed")
        for m in re.finditer(r"^@@ metric=(\S+) value=(\d+)", open(log).read(), re.M):
            vals[m.group(1)] = int(m.group(2))
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default=kit.kernel_path(os.environ.get("SOLVED", "all")),
                    help="the kernel image (default: the build of $SOLVED, else all, as in the Makefile)")
    ap.add_argument("--qemu-runs", type=int, default=3)
    a = ap.parse_args()
    print("bench: Bochs (corei7_skylake_x, 2 CPUs, clock: sync=none) ...", flush=True)
    bochs = metrics("bochs", a.kernel)
    bochs2 = metrics("bochs", a.kernel)
    repeatable = all(bochs.get(k) == bochs2.get(k) for k, _ in ROWS if k in bochs)
    qemu_runs = []
    for i in range(a.qemu_runs):
        print(f"bench: QEMU TCG run {i + 1}/{a.qemu_runs} ...", flush=True)
        qemu_runs.append(metrics("qemu", a.kernel))

    def qemu_ns(key):
        vals = [q[key] * 1e9 / q["tsc_hz"] for q in qemu_runs if key in q and q.get("tsc_hz")]
        return statistics.median(vals) if vals else None

    print()
    print(f"| {'measure':<42} | {'Bochs (cycles = instructions)':>29} | {'QEMU TCG, median (ns)':>22} |")
    print(f"|{'-' * 44}|{'-' * 31}|{'-' * 24}|")
    for key, label in ROWS:
        b = bochs.get(key)
        q = qemu_ns(key) if "misses" not in key else (statistics.median([r[key] for r in qemu_runs if key in r])
                                                       if any(key in r for r in qemu_runs) else None)
        bs = f"{b:,}" if b is not None else "-"
        if "misses" in key:
            qs = f"{q:.0f}" if q is not None else "-"
        else:
            qs = f"{q:,.0f}" if q is not None else "-"
        print(f"| {label:<42} | {bs:>29} | {qs:>22} |")
    print()
    print(f"bench: Bochs figures identical across two runs: {'yes' if repeatable else 'NO'}")
    print(f"bench: Bochs TSC {bochs.get('tsc_hz', 0):,} Hz (its `ips`); rtlat: {RTLAT}, T0 = the highest-priority thread")
    return 0


if __name__ == "__main__":
    sys.exit(main())
