#!/usr/bin/env python3
"""The grader's own tests: broken student code must give a clear 0, never a stuck or crashed
grader.

    autograder/selftest.py

In a scratch copy of the kit (the committed files plus solution overlays):
  1. lab 0's format_int.cc does not compile      -> every lab-0 test fails, the compiler's
                                                     message is shown, the grader exits 1
  2. lab 0's walk_frames loops forever on a real  -> host tests fail, in-kernel tests fail with
     kernel stack                                    "timeout", the grader still finishes
  3. a submission archive with a path outside     -> that file is ignored and reported
     the student files
Ends with `selftest: N passed, M failed`.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

BROKEN = """#include "core/format_int.h"
namespace kern {
size_t format_integer(char* out, uint64_t magnitude, bool negative, const IntSpec& spec) {
    return this is not C++;
}
}
"""

HANGS = """#include "core/backtrace.h"
namespace kern {
size_t walk_frames(uint64_t rbp, ReadWord read, uint64_t* rips, size_t max) {
    // Hangs on a real kernel stack, returns at once on the host tests' fake stacks.
    while (rbp > 0x100000 && rbp < 0x40000000)
        asm volatile("" ::: "memory");
    return 0;
}
}
"""


def scratch_kit():
    d = tempfile.mkdtemp(prefix="grader-selftest-")
    files = subprocess.run(["git", "-C", ROOT, "ls-files"], stdout=subprocess.PIPE, text=True,
                           check=True).stdout.splitlines()
    for f in files:
        os.makedirs(os.path.dirname(os.path.join(d, f)) or d, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), os.path.join(d, f))
    return d


def grade(kit, lab, solved):
    res = os.path.join(kit, "results.json")
    p = subprocess.run([sys.executable, os.path.join(kit, "autograder", "grade.py"), str(lab), "--root", kit,
                        "--solved", solved, "--results", res], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=900)
    with open(res) as f:
        return p.returncode, p.stdout, json.load(f)


def main():
    kit = scratch_kit()
    checks = []
    try:
        target = os.path.join(kit, "kernel/core/format_int.cc")
        with open(target, "w") as f:
            f.write(BROKEN)
        rc, out, res = grade(kit, 0, "1,2")
        ok = rc == 1 and res["score"] == 0 and "did not compile" in out and "error" in out
        checks.append(("a skeleton that does not compile scores 0 with the compiler's message", ok, out))
        shutil.copy2(os.path.join(ROOT, "kernel/core/format_int.cc"), target)

        with open(os.path.join(kit, "kernel/core/backtrace.cc"), "w") as f:
            f.write(HANGS)
        rc, out, res = grade(kit, 0, "1,2")
        bt = [t for t in res["tests"] if "backtrace_walks_real_frames" in t["name"]]
        ok = rc == 1 and bt and bt[0]["status"] == "failed" and "timeout" in bt[0]["output"]
        checks.append(("a hanging lab function fails with a timeout, the grader finishes", ok, out))

        arch = os.path.join(kit, "evil.tar.gz")
        with tarfile.open(arch, "w:gz") as tar:
            tar.add(os.path.join(ROOT, "solutions/lab0/kernel/core/format_int.cc"), arcname="kernel/core/format_int.cc")
            tar.add(os.path.join(ROOT, "Makefile"), arcname="autograder/grade.py")
        p = subprocess.run([sys.executable, os.path.join(ROOT, "autograder", "handin.py"), "grade", arch, "0",
                            "--kit", ROOT, "--results", os.path.join(kit, "h.json")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
        ok = "ignoring 'autograder/grade.py'" in p.stdout and "using submitted kernel/core/format_int.cc" in p.stdout
        checks.append(("a submission cannot replace the grader", ok, p.stdout))
    finally:
        shutil.rmtree(kit, ignore_errors=True)
    for name, ok, out in checks:
        print(f"selftest: {'ok    ' if ok else 'FAILED'} {name}")
        if not ok:
            print("\n".join(out.splitlines()[-30:]))
    passed = sum(ok for _, ok, _ in checks)
    print(f"selftest: {passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
