#!/usr/bin/env python3
"""`make test`: every test of the kit, with progress, ending in `tests: N passed, M failed`.

    tools/test_all.py [--only REGEX]   (--only: just the steps whose names match)

Steps (each counts as one check, except the host tests, which count one per test case):
  format    every C and C++ source follows .clang-format (clang-format 14; skipped if missing)
  arch-bits no bare bit shifts for architectural bits and no raw MSR numbers in hypervisor/,
            kernel/ and libos/: every one is named once, in the registries (docs/architecture.md)
  host      all Catch2 host tests through CTest, every overlay applied
  tools-kit the Python tools' solved-lab list and overlay rule (tools/kit.py) agree with the
            Makefile's
  boot      the kernel boots and exits cleanly in QEMU and in Bochs (2 CPUs)
  badinput  an unknown kernel option warns and boot continues
  apps      in Bochs, rtlat keeps its deadlines while a NULL-dereferencing program is killed
            and hello checks the system-call boundary
  guests    in Bochs, the hypervisor's test guests run and every hostile one is contained, while
            rtlat on the same CPU keeps its latency bound and every deadline; a VMREAD or
            VMWRITE that fails in the run loop ends its vCPU with the field named (test=hv)
  entry-diff  in Bochs, the VM-entry checker agrees with the CPU: 1800 seeded one-field changes
            of three known-good VMX states, each judged by the checker and VMLAUNCHed, differ
            only where a listed Bochs deviation from the SDM says (docs/entry-check.md)
  slave     the Linux slave builds (cached), boots on CPU 1 in Bochs to userspace while rtlat
            keeps its bound on CPU 0, its attacks are contained, a panic is reported and the
            slave restarted, and a bad kernel image or too little memory gets a clear error;
            an SMP slave on two CPUs counts both in its /proc/cpuinfo
  delegation  the logger writes to a file in Linux through the channel (doorbell mode) without a
            deadline miss while rtlat keeps its bound, then a hostile daemon's lies are refused;
            loopback talks TCP through Linux's stack (after an idle slave with vlibosd asleep
            took at most 10 VM exits per second, counted exactly); four callers at once, one blocked
            on a silent socket, the others served at their normal round trip, and a caller's budget
            limits its Linux service; in babysat mode the slave runs only inside
            its caller's budget on a master CPU, and rtlat on that CPU keeps its bound
  fpu       every guest's x87/SSE/AVX registers stay intact: processes in the slave (beside a busy
            process and rt-tests' cyclictest) and a test guest check theirs, dedicated and babysat
            (the two guests taking turns on one CPU); and fail when XSAVEC, which Bochs 2.7 gets
            wrong, is offered to the slave
  fuzz      libFuzzer over both sides' message checks, a fixed number of runs, no findings
  iso       the hybrid BIOS+UEFI ISO boots under SeaBIOS and OVMF; the framebuffer shows text
  gdb       QEMU's gdb stub: gdb breaks in kernel_main and prints a backtrace
  honesty   every lab's tests pass with its solution and fail without it, graded as a
            submission is; each lab's fixed host-test list matches the code
  selftest  the hostile submissions (forged results, _exit(0), reaching for solutions,
            floods, loops, triple faults, fork bombs, hostile archives) get their honest
            result in bounded time, and the kit and the machine are left as they were
  docs-check  every lab handout describes each test of its spec; the kernel command-line
            table lists every option the kernel knows; no file cites the developers' own notes
  docs      Doxygen builds with warnings as errors
"""
import os
import re
import subprocess
import sys
import time

import kit  # tools/kit.py: the solved-lab list and the overlay rule

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []
skipped = []
# --only REGEX: run only the steps whose names match (setup and the kernel build always run);
# for working on one part. `make test` runs them all.
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv[:-1] else None


def step(name, cmd, check=None, timeout=1800, env=None):
    if ONLY and name not in ("setup", "kernel") and not re.search(ONLY, name):
        return True, ""
    print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=timeout, env=env)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), 124
    ok = rc == 0 and (check(out) if check else True)
    tail = "\n".join(out.rstrip().splitlines()[-25 if not ok else -6:])
    print(tail)
    print(f"=== {name}: {'ok' if ok else 'FAILED'} ({time.monotonic() - t0:.0f} s)", flush=True)
    results.append((name, ok))
    return ok, out


def main():
    start = time.monotonic()
    # ccache: share entries across checkouts and scratch kits (see the Makefile).
    os.environ.setdefault("CCACHE_BASEDIR", "/")
    os.environ.setdefault("CCACHE_NOHASHDIR", "1")
    ok, _ = step("setup", ["tools/setup.sh", "all"])
    if not ok:
        print("tests: 0 passed, 1 failed")
        return 1
    # CTest splits a test name at ';' into names that match nothing and "pass": forbid them.
    step("format", [sys.executable, "tools/format.py", "--check"])
    step("arch-bits", [sys.executable, "tools/arch_bits_check.py"])
    step("test-names", ["sh", "-c", "! grep -rn --include='*.cc' 'TEST_CASE(\"[^\"]*;' kernel hypervisor libos"])
    host_passed = host_failed = 0
    ok, out = step("host", ["sh", "-c", "cmake -S . -B build/host -DSOLVED=all >/dev/null && "
                            "cmake --build build/host -j2 2>&1 | grep -E 'error|warning' ; "
                            "ctest --test-dir build/host --output-on-failure"])
    m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", out)
    if m:
        host_failed = int(m.group(2))
        host_passed = int(m.group(3)) - host_failed
    if results and results[-1][0] == "host":  # not skipped by --only
        results.pop()
        results.extend([("host", True)] * host_passed + [("host", False)] * (host_failed or (0 if ok else 1)))

    # The Python tools' shared rules (tools/kit.py) against a made-up kit and the Makefile.
    step("tools-kit", [sys.executable, "-B", "-m", "unittest", "tools/tests/kit_test.py"])
    step("kernel", ["make", "-s", "kernel", "apps", "SOLVED=all"])
    k = kit.kernel_path("all")
    booted = lambda out: "@@ boot result=pass" in out and re.search(r"@@ metric=cpus_online value=2", out)
    step("boot-qemu", [sys.executable, "tools/run.py", "qemu", "--kernel", k, "--cmdline", "exit=emu",
                       "--timeout", "60"], check=booted)
    step("boot-bochs", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline", "exit=emu",
                        "--timeout", "120"], check=booted)
    step("badinput-cmdline", [sys.executable, "tools/run.py", "qemu", "--kernel", k, "--cmdline",
                              "exit=emu frobnicate=3", "--timeout", "60"],
         check=lambda out: "unknown kernel command-line option 'frobnicate'" in out and booted(out))
    step("apps-isolation", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline", "exit=emu",
                            "--timeout", "180", "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=300 bound_cycles=5000 hog",
                            "--app", "nullptr", "--app", "hello"],
         check=lambda out: "process 'nullptr'" in out and "killed=fault" in out
         and "@@ test=rtlat_no_deadline_misses_with_hog result=pass" in out
         and "@@ test=rtlat_latency_bound_with_hog result=pass" in out
         and "@@ test=user_syscall_validation result=pass" in out)
    step("guests-contained", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline",
                              "exit=emu guests=demo test=hv", "--timeout", "240", "--app",
                              "rtlat cpu=0 threads=2 period_us=10000 loops=300 bound_cycles=5000"],
         check=lambda out: out.count("verdict=contained") == 5 and out.count("verdict=ok") == 4
         and "@@ test=run_loop_ends_a_vcpu_whose_vmwrite_fails result=pass" in out
         and "@@ test=run_loop_ends_a_vcpu_whose_vmread_fails result=pass" in out
         and "ESCAPED" not in out and "@@ test=rtlat_latency_bound result=pass" in out
         and "@@ test=rtlat_no_deadline_misses result=pass" in out)
    step("entry-diff", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline",
                        "exit=emu test=entry_diff", "--timeout", "90"],
         check=lambda out: "@@ test=entry_check_agrees_with_cpu result=pass" in out
         and "@@ metric=entry_diff_disagreements value=0 " in out)
    ok, _ = step("slave-build", [sys.executable, "tools/slave_build.py", "all"], timeout=3600)
    lab7 = ["linux_reaches_userspace", "linux_runs_its_script_and_halts", "ipi_to_own_cpu_allowed",
            "ipi_to_master_cpus_denied", "msr_attacks_contained", "devmem_beyond_ram_contained",
            "rtlat_holds_while_linux_boots_and_runs"]
    step("slave-attacks-and-latency", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave",
                                       "--cmdline", "exit=emu test=lab7 slave_run=lab7", "--timeout", "240",
                                       "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=2500 bound_cycles=5000"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in lab7) and "ESCAPED" not in out)
    # An SMP slave: Linux on CPUs 2 and 1 of three (the master keeps CPU 0), its second CPU
    # started by INIT and SIPI emulated in software; Linux itself counts its CPUs, before and
    # after work on both, while rtlat keeps its bound on CPU 0.
    smp = r"^\[linux\] \[[ 0-9.]+\] vlibos-smp: %sprocessors=2 online=0-1$"
    step("slave-smp", [sys.executable, "tools/run.py", "bochs", "--cpus", "3", "--kernel", k, "--slave",
                       "--cmdline", "exit=emu slave_run=smp slave_cpus=2", "--timeout", "300",
                       "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=3000 bound_cycles=5000"],
         check=lambda out: re.search(smp % "", out, re.M) and re.search(smp % "after work on every CPU: ", out, re.M)
         and re.search(r"^@@ slave boot=1 end=halted userspace=yes", out, re.M)
         and "@@ test=rtlat_latency_bound result=pass" in out and "@@ test=rtlat_no_deadline_misses result=pass" in out)
    step("slave-panic-restart", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                 "exit=emu slave_run=panic slave_restarts=1", "--timeout", "240"],
         check=lambda out: re.search(r"^@@ slave boot=1 end=panic userspace=yes", out, re.M)
         and re.search(r"^@@ slave boot=2 end=halted userspace=yes", out, re.M)
         and "boot 2 after a panic: fine" in out)
    step("slave-badinput-image", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline", "exit=emu slave=linux",
                                  "--module", f"{k}=slave-kernel", "--module", "build/slave/initramfs.cpio=slave-initrd",
                                  "--timeout", "120"],
         check=lambda out: "not a bzImage" in out and "@@ slave boot=1 end=not_started" in out
         and "@@ exit code=0" in out)
    truncated = os.path.join(ROOT, "build", "slave", "truncated-bzImage")
    if os.path.exists(os.path.join(ROOT, "build", "slave", "bzImage")):
        with open(os.path.join(ROOT, "build", "slave", "bzImage"), "rb") as f, open(truncated, "wb") as g:
            g.write(f.read(1_000_000))
    step("slave-badinput-truncated", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--cmdline",
                                      "exit=emu slave=linux", "--module", f"{truncated}=slave-kernel",
                                      "--module", "build/slave/initramfs.cpio=slave-initrd", "--timeout", "120"],
         check=lambda out: "truncated" in out and "@@ slave boot=1 end=not_started" in out and "@@ exit code=0" in out)
    step("slave-badinput-memory", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                   "exit=emu slave_mem=16", "--timeout", "120"],
         check=lambda out: "too little memory for the slave" in out and "@@ exit code=0" in out)
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        step("guests-kvm", [sys.executable, "tools/run.py", "qemu", "--kernel", k, "--cmdline", "exit=emu guests=demo",
                            "--timeout", "120"],
             check=lambda out: out.count("verdict=contained") == 5 and out.count("verdict=ok") == 4)
    else:
        print("\n=== guests-kvm: skipped: no usable /dev/kvm on this machine, and QEMU without KVM has no VMX;"
              " the same guests ran in Bochs above (guests-contained)")
        skipped.append("guests-kvm")
    step("delegation", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                        "exit=emu slave_run=serve libos=doorbell", "--timeout", "300",
                        "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=2500 bound_cycles=5000",
                        "--app", "logger period_us=20000 samples=150 budget_pct=30 hostile"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in
                               ("delegation_logger_writes", "delegation_logger_no_misses", "hostile_daemon_contained",
                                "rtlat_latency_bound", "rtlat_no_deadline_misses"))
         and re.search(r"^@@ libos calls=\d+ .* doorbells=[1-9]", out, re.M))
    # Sockets alone. First, with the loopback's calls
    # held back, libos counts the idle slave's VM exits over 3 s of TSC time (exact counts, not
    # wall time): vlibosd blocks until woken, so at most 10 per second.
    step("delegation-sockets", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                "exit=emu slave_run=serve libos_idle_check=3", "--timeout", "300", "--app", "loopback"],
         check=lambda out: "@@ test=delegation_sockets result=pass" in out
         and "@@ test=slave_idle_exits result=pass" in out)
    # Concurrent delegation: four master threads delegate at once; one reads a connected socket
    # nobody writes to (it blocks in Linux until its 5 s deadline), the other three make their
    # null calls meanwhile at their normal round trip (vlibosd serves the blocked call in a
    # worker thread of its caller slot).
    step("delegation-concurrent", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                   "exit=emu slave_run=serve libos=doorbell", "--timeout", "300",
                                   "--app", "delegbench concurrent=4 blocked calls=20 settle_ms=500"],
         check=lambda out: "@@ test=delegation_concurrent_blocked result=pass" in out)
    # Linux's time on a call is charged to the caller's budget (the default), so a caller with
    # 10% of its CPU gets Linux service only at the rate its budget allows.
    step("delegation-budget", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                               "exit=emu slave_run=serve libos=doorbell", "--timeout", "300",
                               "--app", "delegbench concurrent=1 budget budget_calls=3 calls=20 settle_ms=500"],
         check=lambda out: "@@ test=delegation_budget_charged result=pass" in out)
    # Two slaves at once, each service routed to its own (libos_route=): files on slave 0
    # (dedicated, CPU 2), sockets on slave 1 (babysat on CPU 1, run by loopback's thread there);
    # rtlat on CPU 0 over the whole run. Both channels must have served calls.
    step("two-slaves", [sys.executable, "tools/run.py", "bochs", "--cpus", "3", "--kernel", k, "--slave",
                        "--cmdline", "exit=emu slaves=2 slave_run=serve libos=doorbell,babysat "
                        "libos_route=files:0,sockets:1", "--timeout", "400",
                        "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=4000 bound_cycles=5000",
                        "--app", "logger period_us=20000 samples=150 budget_pct=30",
                        "--app", "loopback cpu=1"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in
                               ("delegation_logger_writes", "delegation_sockets", "rtlat_latency_bound",
                                "rtlat_no_deadline_misses"))
         and "slave1: babysat mode" in out
         and re.search(r"^@@ libos calls=[1-9]", out, re.M) and re.search(r"^@@ libos slave=1 calls=[1-9]", out, re.M))
    # A slave that panics while the other serves: its caller gets ENOTCONN, the other slave's
    # caller (the logger, files on slave 0) and rtlat are untouched, and slave_restarts=1 brings
    # it back: a second loopback, started later, is served by its second boot. RUN is routed to
    # a slave that does not run (run:5): the logger's RUN fails with ENOSYS, said once. (Which
    # of loopback's calls gets ENOTCONN depends on when Linux panics: vlibosd may be up for a
    # moment before init ends.)
    step("slave-panics-other-serves", [sys.executable, "tools/run.py", "bochs", "--cpus", "3", "--kernel", k,
                                       "--slave", "--cmdline", "exit=emu slaves=2 slave_run=serve,panicserve "
                                       "slave_restarts=1 libos_route=files:0,sockets:1,run:5", "--timeout", "500",
                                       "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=3500 bound_cycles=5000",
                                       "--app", "logger period_us=20000 samples=150 budget_pct=30",
                                       "--app", "loopback", "--app", "loopback start_ms=32000 port=7778"],
         check=lambda out: re.search(r"^loopback: \w+ failed: -107$", out, re.M)
         and out.count("libos: no slave offers run") == 1 and "in Linux: status -38," in out
         and out.count("@@ test=delegation_sockets result=fail") == 1
         and out.count("@@ test=delegation_sockets result=pass") == 1
         and re.search(r"^@@ slave1 boot=1 end=panic ", out, re.M)
         and re.search(r"^@@ slave1 boot=2 end=exited userspace=yes", out, re.M)
         and all(f"@@ test={t} result=pass" in out for t in
                 ("delegation_logger_writes", "rtlat_latency_bound", "rtlat_no_deadline_misses")))
    step("delegation-babysat", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                "exit=emu slave_run=serve libos=babysat", "--timeout", "300",
                                "--app", "rtlat cpu=1 threads=1 period_us=10000 loops=300 bound_cycles=5000 start_ms=20000",
                                "--app", "logger period_us=20000 samples=200 budget_pct=40 cpu=1"],
         check=lambda out: "slave: babysat mode" in out and "@@ test=delegation_logger_writes result=pass" in out
         and "@@ test=rtlat_latency_bound result=pass" in out and "@@ test=rtlat_no_deadline_misses result=pass" in out)
    # Every guest's FPU state intact (docs/linux-slave.md): vlibos-xsavecheck, then vlibos-fpucheck's
    # processes next to a busy process and rt-tests' cyclictest in the slave, while the FPU test
    # guest checks its own registers; each run with other seeds, process counts and periods.
    # Dedicated: the slave alone on CPU 1, the test guest on CPU 0 beside rtlat.
    # (rtlat only keeps the run going here: its bound is not checked, see the step's note in docs.)
    fpu_tests = ("slave_xsave_features_as_offered", "slave_fpu_state_intact", "guest_fpu_state_intact",
                 "guest_fpu_runs_complete")
    step("slave-fpu-integrity-dedicated", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                           "exit=emu slave_run=fpu guests=fpu guests_cpu=0", "--timeout", "300",
                                           "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=3500 bound_cycles=5000"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in fpu_tests)
         and "fpu: cyclictest exited with status 0" in out
         and re.search(r"^@@ slave boot=1 end=halted userspace=yes", out, re.M))
    # A second dedicated run, varied: other seed, more checkers, a faster cyclictest, a shorter
    # busy process (Bochs is deterministic: repeating a run would prove nothing new).
    step("slave-fpu-integrity-dedicated-varied", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave",
                                                  "--cmdline", "exit=emu slave_run=fpu guests=fpu guests_cpu=0 "
                                                  "slave_append=vlibos.fpu_seed=4,vlibos.fpu_procs=4,vlibos.fpu_rounds=16,"
                                                  "vlibos.cyclic_us=500,vlibos.cyclic_ms=2000,vlibos.busy_s=2",
                                                  "--timeout", "300",
                                                  "--app", "rtlat cpu=0 threads=1 period_us=20000 loops=2500 bound_cycles=5000"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in fpu_tests)
         and "fpu: cyclictest exited with status 0" in out
         and re.search(r"^@@ slave boot=1 end=halted userspace=yes", out, re.M))
    # Babysat: the parked slave and the test guest take turns on CPU 1, mid-run: every turn saves
    # one's registers and restores the other's (saves= must be nonzero).
    step("slave-fpu-integrity-babysat", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                                         "exit=emu slave_run=fpu libos=babysat guests=fpu slave_append=vlibos.fpu_seed=2,"
                                         "vlibos.fpu_procs=2,vlibos.fpu_rounds=24,vlibos.cyclic_us=2000,vlibos.cyclic_ms=1500,"
                                         "vlibos.busy_s=3",
                                         "--timeout", "300",
                                         "--app", "rtlat cpu=0 threads=1 period_us=20000 loops=3500 bound_cycles=5000"],
         check=lambda out: all(f"@@ test={t} result=pass" in out for t in fpu_tests)
         and "fpu: cyclictest exited with status 0" in out
         and "slave: babysat mode" in out and re.search(r"^@@ guests_fpu cpu=1 .* saves=[1-9]", out, re.M)
         and re.search(r"^@@ slave boot=1 end=halted userspace=yes", out, re.M))
    # Negative: with XSAVEC offered again, Linux saves tasks' state in Bochs' broken compacted
    # format and the checkers must see it.
    step("slave-fpu-integrity-xsavec-offered", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave",
                                                "--cmdline", "exit=emu slave_run=fpu slave_cpuid_offer_xsavec "
                                                "slave_append=vlibos.fpu_seed=3", "--timeout", "300",
                                                "--app", "rtlat cpu=0 threads=1 period_us=20000 loops=1500 bound_cycles=5000"],
         check=lambda out: "@@ test=slave_fpu_state_intact result=fail" in out)
    # The I/O VCPU: 50,000 doorbells from Linux user mode; their bottom halves run on an
    # I/O VCPU of CPU 0 with 10% of it, and rtlat on CPU 0 keeps its bound.
    step("doorbell-storm", [sys.executable, "tools/run.py", "bochs", "--kernel", k, "--slave", "--cmdline",
                            "exit=emu slave_run=storm", "--timeout", "300",
                            "--app", "rtlat cpu=0 threads=2 period_us=10000 loops=3000 bound_cycles=5000"],
         check=lambda out: "attack: doorbell: rang 50000 times" in out
         and re.search(r"^@@ libos_io posted=[1-9]", out, re.M)
         and "@@ test=rtlat_latency_bound result=pass" in out and "@@ test=rtlat_no_deadline_misses result=pass" in out)
    step("fuzz", [sys.executable, "tools/fuzz.py", "--runs", "300000"])
    step("iso-seabios", [sys.executable, "tools/iso_check.py", "--kernel", k, "--firmware", "bios"])
    step("iso-ovmf", [sys.executable, "tools/iso_check.py", "--kernel", k, "--firmware", "uefi"])
    step("gdb", [sys.executable, "tools/gdb_check.py", "--kernel", k],
         check=lambda out: "kernel_main" in out and "#0" in out)
    ok, out = step("honesty", [sys.executable, "autograder/honesty.py"], timeout=3000)
    step("grader-selftest", [sys.executable, "autograder/selftest.py"], timeout=1800)
    step("docs-check", [sys.executable, "tools/docs_check.py"])
    step("docs", ["make", "-s", "docs"])

    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"\nmake test: {time.monotonic() - start:.0f} s")
    for name, ok in results:
        if not ok:
            print(f"  FAILED: {name}")
    for name in skipped:
        print(f"  skipped: {name}")
    print(f"tests: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
