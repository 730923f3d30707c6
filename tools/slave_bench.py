#!/usr/bin/env python3
"""Measure the Linux slave in Bochs (`make bench-slave`).

  1. Under the master: launch -> userspace marker in Bochs cycles, Linux's own printk time of
     the marker, VM exits during the boot by reason, and exits per second of an idle Linux
     (two runs idling 5 and 15 s: the difference is pure steady state).
  2. The same bzImage and initramfs booted directly by GRUB in Bochs (no hypervisor; Linux then
     runs on the PC's PIC/PIT/IOAPIC instead of Jailhouse's platform): Linux's printk time of
     the same marker.
  3. Wall time to the marker, median of N runs of each.
  4. Wakeup latency side by side: the master's rtlat on CPU 0 and vlibos-cyclic (after
     cyclictest) inside the slave on CPU 1, in the same run, idle and next to a busy process.

Bochs with clock: sync=none counts instructions: cycle and printk figures are exact and the
same on every run; wall times are this machine's and noisy (medians).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: where a build's kernel is)
import run as runpy  # noqa: E402  (tools/run.py)

MARKER = "vlibos-slave: userspace up"
# Both boots print only what is critical (loglevel=3): a console costs emulated time natively
# (Bochs' UART transmits at its baud rate) but none in the slave (the emulated 16550 is always
# ready), so a chatty boot would flatter the slave. tsc_early_khz: natively Linux would believe
# Bochs' CPUID leaf 0x16 (3.5 GHz) and its printk clock would run 350 times too slow.
QUIET = "loglevel=3"
# nosmp: the slave measured here has one CPU, so the native boot gets one too (Bochs has two).
# Natively on both, this SMP kernel stopped after "clocksource: Switched to clocksource tsc-early"
# and never started its serial console (seen with earlyprintk=serial; not explained).
NATIVE_CMDLINE = ("console=ttyS0,115200 nokaslr io_delay=none printk.devkmsg=on panic=-1 "
                  "mitigations=off vlibos.run=idle vlibos.idle=1 tsc_early_khz=10000 nosmp " + QUIET)


def parse_vm(text):
    m = re.search(r"^@@ slave boot=1 (.*)$", text, re.M)
    if not m:
        sys.exit("slave_bench: no '@@ slave' line: did the slave boot?\n" + text[-2000:])
    f = dict(kv.split("=", 1) for kv in m.group(1).split())
    ex = re.search(r"^@@ guest_exits name=linux-boot (.*)$", text, re.M)
    exits = dict(kv.split("=", 1) for kv in ex.group(1).split()) if ex else {}
    pk = re.search(r"\[\s*([\d.]+)\] " + re.escape(MARKER), text)
    return f, exits, float(pk.group(1)) if pk else None


def run_master(kernel, cmdline, apps=()):
    """Console output of one Bochs run of the master with the slave."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "console.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/run.py"), "bochs", "--kernel", kernel, "--slave",
                        "--cmdline", cmdline, "--timeout", "400", "--quiet", "--log", log]
                       + [x for app in apps for x in ("--app", app)], capture_output=True, text=True)
        return open(log, errors="replace").read()


def run_vm(kernel, idle):
    return run_master(kernel, f"exit=emu slave_run=idle slave_append=vlibos.idle={idle},{QUIET}")


def bochs_until_halt(iso, stage, timeout=300):
    """Run Bochs on `iso` until Linux halts; returns (console text, wall seconds to the marker)."""
    serial = os.path.join(stage, "serial.txt")
    rc = os.path.join(stage, "bochsrc")
    with open(rc, "w") as f:
        f.write(runpy.BOCHSRC.format(memory=256, cpus=2, ips=10_000_000, share=runpy.BOCHS_SHARE, iso=iso,
                                     serial=serial, log=os.path.join(stage, "bochs.log")))
    cont = os.path.join(stage, "cont.rc")
    open(cont, "w").write("c\n")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    t0 = time.monotonic()
    p = subprocess.Popen(["bochs", "-q", "-f", rc, "-rc", cont], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    wall = None
    text = ""
    while time.monotonic() - t0 < timeout and p.poll() is None:
        time.sleep(0.02)
        if os.path.exists(serial):
            text = open(serial, "rb").read().decode(errors="replace")
            if wall is None and MARKER in text:
                wall = time.monotonic() - t0
            if "System halted" in text or "@@ exit code" in text:
                break
    if p.poll() is None:
        os.killpg(p.pid, 9)
    p.wait()
    if os.path.exists(serial):
        text = open(serial, "rb").read().decode(errors="replace")
    return text, wall


def run_vm_wall(kernel):
    """Wall seconds from Bochs' start to the slave's marker (master boot included)."""
    cmdline = f"exit=emu slave=linux console=serial slave_run=idle slave_append=vlibos.idle=1,{QUIET}"
    files = [(os.path.join(ROOT, "build/slave/bzImage"), "slave-kernel"),
             (os.path.join(ROOT, "build/slave/initramfs.cpio"), "slave-initrd")]
    iso = runpy.cached_iso(kernel, cmdline, files=files)
    with tempfile.TemporaryDirectory() as stage:
        return bochs_until_halt(iso, stage)[1]


def run_native(bzimage, initrd, timeout=300):
    """Boot bzImage + initrd with GRUB's `linux`/`initrd` in Bochs; stop at the marker."""
    with tempfile.TemporaryDirectory() as stage:
        os.makedirs(os.path.join(stage, "boot", "grub"))
        shutil.copy(bzimage, os.path.join(stage, "boot", "bzImage"))
        shutil.copy(initrd, os.path.join(stage, "boot", "initrd"))
        with open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(f"set timeout=0\nmenuentry linux {{\n  linux /boot/bzImage {NATIVE_CMDLINE}\n"
                    f"  initrd /boot/initrd\n}}\n")
        iso = os.path.join(stage, "native.iso")
        subprocess.run(["grub-mkrescue", "-o", iso, "--locales=", "--fonts=", "--themes=", "-d", runpy.GRUB_BIOS_DIR,
                        "--install-modules=linux normal iso9660 biosdisk configfile", stage],
                       check=True, capture_output=True)
        text, wall = bochs_until_halt(iso, stage, timeout)
        pk = re.search(r"\[\s*([\d.]+)\] " + re.escape(MARKER), text)
        return (float(pk.group(1)) if pk else None), wall, text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default=kit.kernel_path(os.environ.get("SOLVED", "all")),
                    help="the kernel image (default: the build of $SOLVED, else all, as in the Makefile)")
    ap.add_argument("--runs", type=int, default=3, help="runs per wall-time median")
    a = ap.parse_args()
    bz = os.path.join(ROOT, "build/slave/bzImage")
    rd = os.path.join(ROOT, "build/slave/initramfs.cpio")

    short = run_vm(a.kernel, 5)
    long_ = run_vm(a.kernel, 15)
    f5, ex5, pk5 = parse_vm(short)
    f15, _, _ = parse_vm(long_)
    hz = 10_000_000  # Bochs ips (run.py's default): the TSC rate
    tsc = re.search(r"TSC ([\d.]+) MHz", short)
    if tsc:
        hz = float(tsc.group(1)) * 1e6
    steady = (int(f15["exits"]) - int(f5["exits"])) / ((int(f15["run_cycles"]) - int(f5["run_cycles"])) / hz)
    walls_vm = [w for w in (run_vm_wall(a.kernel) for _ in range(a.runs)) if w]
    natives = [run_native(bz, rd) for _ in range(a.runs)]
    pk_native = natives[0][0]
    if pk_native is None:
        print(natives[0][2][-3000:])
        sys.exit("slave_bench: the natively booted Linux did not reach the marker")
    walls_native = [n[1] for n in natives if n[1]]

    print("\n## The Linux slave in Bochs (corei7_skylake_x, 2 CPUs, ips 10M, clock: sync=none)\n")
    print("| measure | under the master (VMX, EPT) | booted by GRUB (no hypervisor) |")
    print("|---|---|---|")
    print(f"| Linux's printk time at the userspace marker | {pk5:.3f} s | {pk_native:.3f} s "
          f"({(pk5 / pk_native - 1) * 100:+.1f}%) |")
    mc = int(f5["marker_cycles"])
    print(f"| launch to marker, Bochs cycles | {mc:,} ({mc / hz:.2f} s emulated) | (GRUB does not say when it jumps) |")
    print(f"| wall time from Bochs' start to the marker, median of {a.runs} (BIOS and GRUB included) | "
          f"{statistics.median(walls_vm):.1f} s (the master boots first) | {statistics.median(walls_native):.1f} s |")
    print(f"\nVM exits from launch to the userspace marker: {int(f5['exits_boot']):,}, by reason: "
          + ", ".join(f"{k} {v}" for k, v in ex5.items() if k != "total"))
    print(f"whole run (boot, idle 5 s, poweroff): {int(f5['exits']):,}, of which console (16550) I/O "
          f"{f5['console_exits']}, other I/O (PCI probing) {f5['other_io_exits']}, emulated MSRs "
          f"{f5['msr_emulated']}, refused MSRs {f5['msr_gp']}, idle HLTs {f5['idle_hlts']}")
    print(f"\nSteady state (idle Linux, 15 s minus 5 s runs): {steady:.1f} VM exits per second")

    # rtlat must outlast Linux's boot, the two 3 s cyclic runs and the 5 s busy process that
    # overlaps the second one: its end stops the slave. It starts about 7 s before the slave's
    # launch, and Linux halts about 19 s after it (measured): 30 s of 10 ms periods.
    text = run_master(a.kernel, "exit=emu slave_run=cyclic",
                      ["rtlat cpu=0 threads=1 period_us=10000 loops=3000 bound_cycles=5000"])
    # Only the console lines themselves (the slave's end-of-boot summary quotes its last line).
    cyc = re.findall(r"^\[linux\] \[[ \d.]+\] cyclic: period (\d+) us, (\d+) loops: "
                     r"latency min (\d+) avg (\d+) max (\d+) ns", text, re.M)
    t0 = re.search(r"T0: period \d+ cycles.*?latency min (\d+) avg (\d+) max (\d+) cycles", text)
    ns_per_cycle = 1e9 / hz
    print("\n## Wakeup latency, 10 ms period, same run (Bochs cycles; 1 cycle = %.0f ns)\n" % ns_per_cycle)
    print("| where | min | avg | max |")
    print("|---|---|---|---|")
    if t0:
        print(f"| master, rtlat T0 on CPU 0 (3000 periods, during the whole Linux run) | {t0.group(1)} | {t0.group(2)} | {t0.group(3)} |")
    for (label, c) in zip(["slave, vlibos-cyclic on CPU 1, idle Linux (300 periods)",
                           "slave, vlibos-cyclic next to vlibos-busy (300 periods)"], cyc):
        lo, av, hi = (int(x) / ns_per_cycle for x in c[2:])
        print(f"| {label} | {lo:.0f} | {av:.0f} | {hi:.0f} |")
    if not cyc or not t0:
        print("(missing: " + ("rtlat " if not t0 else "") + ("cyclic" if not cyc else "") + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
