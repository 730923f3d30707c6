#!/usr/bin/env python3
"""The lab autograder.

    autograder/grade.py LAB [--solved LIST] [--results results.json] [--root DIR]

Builds the kit with the student's files for lab LAB and the solution overlays of the labs in
--solved (default: every lab before LAB that has one), runs that lab's host unit tests (CTest
label labN) and in-kernel tests (kernel command line `test=labN`, in the emulator its spec
names, with a timeout), prints one row per test with its points, ends with the line
`grade: N passed, M failed`, and writes a Gradescope results.json.

Nothing a student submits can hang or crash the grader: a build error scores 0 for the tests
that needed the build and shows the compiler's message; a hang, panic or triple fault fails the
tests that did not report, with the reason.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.dirname(HERE)


class Test:
    def __init__(self, name, points, kind):
        self.name, self.points, self.kind = name, points, kind
        self.passed = False
        self.output = ""


def load_spec(root, lab):
    path = os.path.join(root, "autograder", "labs", f"lab{lab}.toml")
    if not os.path.exists(path):
        sys.exit(f"grade: no lab {lab} (no {os.path.relpath(path, root)})")
    with open(path, "rb") as f:
        return tomllib.load(f)


def available_overlays(root):
    d = os.path.join(root, "solutions")
    if not os.path.isdir(d):
        return []
    return sorted(int(n[3:]) for n in os.listdir(d) if re.fullmatch(r"lab\d+", n))


def solved_labs(root, lab, solved):
    if solved is None:
        return [n for n in available_overlays(root) if n < lab]
    if solved == "all":
        return available_overlays(root)
    if solved in ("none", ""):
        return []
    return sorted({int(x) for x in re.split(r"[,\s]+", solved) if x})


def run(cmd, cwd, timeout=900):
    try:
        r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout)
        return r.returncode, r.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        return 124, out + f"\n(timed out after {timeout} s)"


def compiler_errors(text, limit=40):
    """The lines of a build log that say what went wrong, for the student."""
    lines = text.splitlines()
    keep = [l for l in lines if re.search(r"error|undefined reference|Error \d", l)]
    return "\n".join((keep or lines)[:limit])


def host_tests(root, lab, solved, spec, log):
    """Build and run the lab's Catch2 tests; one Test per test case."""
    tag = "-".join(map(str, solved)) or "none"
    bdir = os.path.join(root, "build", f"host-{tag}")
    points = spec.get("host", {}).get("points", 1)
    log(f"building host tests (SOLVED={tag}) ...")
    rc, out = run(["cmake", "-S", root, "-B", bdir, f"-DSOLVED={','.join(map(str, solved)) or 'none'}",
                   "-DCMAKE_BUILD_TYPE=Debug"], root)
    if rc == 0:
        rc, out = run(["cmake", "--build", bdir, "--target", f"tests_lab{lab}", "-j", str(os.cpu_count() or 2)], root)
    if rc != 0:
        t = Test(f"host tests for lab {lab} (build)", points, "host")
        t.output = "the host tests did not compile:\n" + compiler_errors(out)
        return [t]
    junit = os.path.join(bdir, f"lab{lab}-junit.xml")
    if os.path.exists(junit):
        os.unlink(junit)
    log("running host tests ...")
    rc, out = run(["ctest", "--test-dir", bdir, "-L", f"^lab{lab}$", "--output-junit", junit,
                   "--timeout", "120"], root)
    if not os.path.exists(junit):
        t = Test(f"host tests for lab {lab}", points, "host")
        t.output = "ctest produced no results:\n" + out[-2000:]
        return [t]
    tests = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        t = Test(case.get("name"), points, "host")
        bad = case.find("failure") is not None or case.find("error") is not None
        t.passed = not bad and case.get("status", "run") != "fail"
        out_el = case.find("system-out")
        text = (out_el.text or "") if out_el is not None else ""
        # Drop Catch2's banner; keep the failing assertions.
        t.output = "\n".join(l for l in text.splitlines()
                             if "is a Catch v" not in l and "Run with -?" not in l
                             and l.strip() and not re.fullmatch(r"[-.=~]{20,}", l.strip()))
        if not t.passed and len(t.output) > 3000:
            t.output = t.output[:3000] + "\n..."
        tests.append(t)
    if not tests:
        t = Test(f"host tests for lab {lab}", points, "host")
        t.output = f"no host tests carry the label lab{lab}"
        tests.append(t)
    return tests


def target_tests(root, lab, solved, spec, log):
    """Build the kernel and run the lab's in-kernel tests in the emulator."""
    target = spec.get("target")
    if not target:
        return []
    tests = [Test(t["name"], t.get("points", 1), "kernel") for t in target["tests"]]
    solved_arg = ",".join(map(str, solved)) or "none"
    log(f"building the kernel (SOLVED={solved_arg}) ...")
    rc, out = run(["make", "-s", "kernel", f"SOLVED={solved_arg}"], root)
    if rc != 0:
        msg = "the kernel did not compile:\n" + compiler_errors(out)
        for t in tests:
            t.output = msg
        return tests
    tag = "-".join(map(str, solved)) or "none"
    kernel = os.path.join(root, "build", f"solved-{tag}", "kernel.elf")
    emu = target.get("emulator", "qemu")
    timeout = target.get("timeout", 60)
    cmdline = f"exit=emu test=lab{lab} {target.get('cmdline', '')}".strip()
    apps = target.get("apps", [])
    if apps:
        log("building the master applications ...")
        rc, out = run(["make", "-s", "apps", f"SOLVED={solved_arg}"], root)
        if rc != 0:
            msg = "the master applications did not compile:\n" + compiler_errors(out)
            for t in tests:
                t.output = msg
            return tests
    run_args = list(target.get("run_args", []))
    if target.get("slave"):
        # The slave's kernel is cached outside the kit (~/.cache/vlibos) after its first build.
        log("building the Linux slave (minutes the first time on this machine, then cached) ...")
        rc, out = run([sys.executable, os.path.join(root, "tools", "slave_build.py"), "all", f"--solved={solved_arg}"],
                      root, timeout=3600)
        if rc != 0:
            msg = "the Linux slave did not build:\n" + "\n".join(out.strip().splitlines()[-20:])
            for t in tests:
                t.output = msg
            return tests
        run_args.append("--slave")
    log(f"running in-kernel tests in {emu} (timeout {timeout} s) ...")
    logfile = os.path.join(root, "build", f"grade-lab{lab}-{emu}.log")
    if os.path.exists(logfile):
        os.unlink(logfile)  # never read a previous run's results
    rc, out = run([sys.executable, os.path.join(root, "tools", "run.py"), emu, "--kernel", kernel,
                   "--cmdline", cmdline, "--timeout", str(timeout), "--quiet", "--log", logfile]
                  + [x for a in apps for x in ("--app", a)]
                  + run_args, root, timeout=timeout + 120)
    console = open(logfile, errors="replace").read() if os.path.exists(logfile) else ""
    verdict = (out.strip().splitlines() or ["run: no output"])[-1]
    results = {}
    for m in re.finditer(r'^@@ test=(\S+) result=(pass|fail)(?: reason="([^"]*)")?', console, re.M):
        results[m.group(1)] = (m.group(2) == "pass", m.group(3) or "")
    tail = "\n".join(console.strip().splitlines()[-15:])
    for t in tests:
        if t.name in results:
            t.passed, reason = results[t.name]
            t.output = reason
        else:
            t.output = (f"not reported by the kernel ({verdict.removeprefix('run: ')}); "
                        f"last console lines:\n{tail}")
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lab", type=int)
    ap.add_argument("--solved", help="labs whose solutions to use: all, none or a list (default: earlier labs)")
    ap.add_argument("--results", default="results.json")
    ap.add_argument("--root", default=DEFAULT_ROOT, help="the kit to grade in")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    spec = load_spec(root, a.lab)
    solved = solved_labs(root, a.lab, a.solved)
    start = time.monotonic()

    def log(msg):
        if not a.quiet:
            print(f"grade: {msg}", flush=True)

    log(f"lab {a.lab} ({spec.get('title', '')}); solutions used for labs: "
        f"{', '.join(map(str, solved)) or 'none'}")
    tests = host_tests(root, a.lab, solved, spec, log) + target_tests(root, a.lab, solved, spec, log)

    width = max(len(t.name) for t in tests)
    print()
    for t in tests:
        mark = "PASS" if t.passed else "FAIL"
        pts = f"{t.points if t.passed else 0}/{t.points}"
        print(f"  {mark}  {t.kind:6}  {t.name:<{width}}  {pts:>5}")
        if not t.passed and t.output:
            for line in t.output.strip().splitlines()[:12]:
                print(f"          {line}")
    score = sum(t.points for t in tests if t.passed)
    max_score = sum(t.points for t in tests)
    passed = sum(t.passed for t in tests)
    failed = len(tests) - passed
    print(f"\nscore: {score}/{max_score} ({time.monotonic() - start:.0f} s)")
    print(f"grade: {passed} passed, {failed} failed")

    results = {
        "score": score,
        "max_score": max_score,
        "output": f"lab {a.lab}: {passed} passed, {failed} failed",
        "tests": [{"name": f"{t.kind}: {t.name}", "score": t.points if t.passed else 0,
                   "max_score": t.points, "status": "passed" if t.passed else "failed",
                   "output": t.output} for t in tests],
    }
    with open(a.results, "w") as f:
        json.dump(results, f, indent=2)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
