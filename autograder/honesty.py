#!/usr/bin/env python3
"""Check that every lab's tests can fail: the honesty check CI runs.

    autograder/honesty.py [LAB ...]

For each lab (default: every autograder/labs/labN.toml):
  - with every solution overlay (SOLVED=all) every test of the lab must pass;
  - with every overlay except the lab's own, every test of the lab must FAIL.
A test that passes without its lab's solution cannot tell a finished lab from an unfinished
one: that is a defect in the test. Ends with `honesty: N passed, M failed` (one check per lab
and mode) and exits non-zero if any check failed.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def labs():
    return sorted(int(m.group(1)) for f in os.listdir(os.path.join(HERE, "labs"))
                  if (m := re.fullmatch(r"lab(\d+)\.toml", f)))


def overlays():
    return sorted(int(d[3:]) for d in os.listdir(os.path.join(ROOT, "solutions")) if re.fullmatch(r"lab\d+", d))


def grade(lab, solved):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    subprocess.run([sys.executable, os.path.join(HERE, "grade.py"), str(lab), "--solved", solved,
                    "--results", out, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with open(out) as f:
            return json.load(f)["tests"]
    except (OSError, ValueError, KeyError):
        return None
    finally:
        os.unlink(out)


def main():
    wanted = [int(a) for a in sys.argv[1:]] or labs()
    passed = failed = 0
    for lab in wanted:
        if lab not in overlays():
            print(f"honesty: lab {lab}: FAIL no solutions/lab{lab} overlay")
            failed += 1
            continue
        without = ",".join(str(n) for n in overlays() if n != lab) or "none"
        for mode, solved, want in (("with its solution", "all", "passed"),
                                   ("without its solution", without, "failed")):
            tests = grade(lab, solved)
            if not tests:
                print(f"honesty: lab {lab} {mode}: FAIL the grader produced no results")
                failed += 1
                continue
            wrong = [t["name"] for t in tests if t["status"] != want]
            if wrong:
                print(f"honesty: lab {lab} {mode}: FAIL {len(wrong)} of {len(tests)} test(s) not {want}:")
                for name in wrong:
                    print(f"    {name}")
                failed += 1
            else:
                print(f"honesty: lab {lab} {mode}: ok, all {len(tests)} tests {want}")
                passed += 1
    print(f"honesty: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
