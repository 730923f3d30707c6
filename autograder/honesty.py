#!/usr/bin/env python3
"""Check that every lab's tests can fail: the honesty check CI runs.

    autograder/honesty.py [--quick] [LAB ...]

For each lab (default: every autograder/labs/labN.toml), graded exactly as a submission is
(autograder/grade.py: the student's view, the sandbox, earlier labs as prebuilt objects):
  - with the lab's own solution as the student's files, every test of the lab must pass;
  - with the skeleton (the files students start from), every test of the lab must FAIL (but a
    row of 0 points, which shows the kit's own code at work and grades nothing);
  - for a lab cut in steps (solutions/labN/stepK/), with steps 1..k solved and the later ones
    the skeleton, for every k: the tests of steps 1..k pass and those of later steps fail, so
    each step's solution earns points the step before cannot;
  - the lab's fixed list of host tests (`[host] tests` in its .toml) must be exactly the
    Catch2 test cases labelled with the lab, so the list and the tests never drift apart.
With --quick (what `make test` runs, to stay within its time), a lab cut in steps is graded
without its solution, with step 1 solved, and with its solution; `make honesty` grades every k.
A test that passes without its lab's solution cannot tell a finished lab from an unfinished
one: that is a defect in the test. Ends with `honesty: N passed, M failed` (one check per lab
and mode) and exits non-zero if any check failed.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: the solved-lab list)

# Gradings at a time: one per core, at most two.
JOBS = max(1, min(2, os.cpu_count() or 1))


def labs():
    return sorted(int(m.group(1)) for f in os.listdir(os.path.join(HERE, "labs"))
                  if (m := re.fullmatch(r"lab(\d+)\.toml", f)))


def host_test_names(lab):
    """The Catch2 test cases labelled lab<lab>, from a trusted build of the kit (every overlay)."""
    build = os.path.join(ROOT, "build", "host")
    if not os.path.exists(os.path.join(build, "CTestTestfile.cmake")):
        subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DSOLVED=all"], stdout=subprocess.DEVNULL, check=True)
    subprocess.run(["cmake", "--build", build, "--target", f"tests_lab{lab}", "-j2"], stdout=subprocess.DEVNULL,
                   check=True)
    out = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", f"^lab{lab}$"], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    # CTest names a case "<executable>:<case>"; the lab's list says "<executable>: <case>".
    return [m.group(1) + ": " + m.group(2) for m in re.finditer(r"^\s*Test\s+#\d+: ([^:]+):(.*)$", out, re.M)]


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


def judge(lab, k, tests):
    """The lines for one grading of `lab` with its steps 1..k solved, and whether it was right."""
    steps = kit.lab_steps(lab)
    mode = ("without its solution" if k == 0 else "with its solution" if k >= len(steps)
            else "with step 1 solved" if k == 1 else f"with steps 1-{k} solved")
    if not tests:
        return [f"honesty: lab {lab} {mode}: FAIL the grader produced no results"], False
    wrong = []
    for t in tests:
        if t["name"].startswith("written: "):
            continue  # a TA grades written answers
        m = re.match(r"step (\d+): ", t["name"])
        want = "passed" if (m and int(m.group(1)) <= k) or (not m and k) else "failed"
        # A row of 0 points shows the kit's own code at work: it must pass, never fail for want
        # of the student's.
        if t["max_score"] == 0 and k == 0:
            continue
        if t["status"] != want:
            wrong.append(f"{t['name']} (wanted {want})")
    if wrong:
        return ([f"honesty: lab {lab} {mode}: FAIL {len(wrong)} of {len(tests)} test(s) wrong:"]
                + [f"    {name}" for name in wrong]), False
    score = sum(t["score"] for t in tests)
    return [f"honesty: lab {lab} {mode}: ok, {score} points, every test as it should be"], True


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    wanted = [int(a) for a in args if a != "--quick"] or labs()
    passed = failed = 0
    jobs = []  # (lab, k, SOLVED list)
    for lab in wanted:
        if lab not in kit.available_labs():
            print(f"honesty: lab {lab}: FAIL no solutions/lab{lab} overlay")
            failed += 1
            continue
        with open(os.path.join(HERE, "labs", f"lab{lab}.toml"), "rb") as f:
            listed = [e if isinstance(e, str) else e["name"]  # a name, or {name, points, step}
                      for e in tomllib.load(f).get("host", {}).get("tests", [])]
        actual = host_test_names(lab)
        if sorted(listed) != sorted(actual):
            print(f"honesty: lab {lab}: FAIL its [host] tests list differs from the Catch2 test cases labelled lab{lab}:")
            for n in sorted(set(actual) - set(listed)):
                print(f"    not listed: {n!r}")
            for n in sorted(set(listed) - set(actual)):
                print(f"    listed but no such test: {n!r}")
            failed += 1
        else:
            print(f"honesty: lab {lab}: ok, its host test list matches the code ({len(actual)} cases)")
            passed += 1
        earlier = [n for n in kit.available_labs() if n < lab]
        # A lab cut in steps is graded with its steps 1..k solved, for every k: exactly the tests
        # of steps 1..k pass. A lab without steps: with its solution, without it.
        n_steps = len(kit.lab_steps(lab) or [1])
        for k in range(n_steps + 1):
            if quick and 1 < k < n_steps:
                continue  # --quick: none, step 1, all
            jobs.append((lab, k, kit.labs_arg(earlier + ([f"{lab}.{k}"] if k else []))))
    # Two gradings at a time (each is mostly one emulator or one compiler: one core), reported
    # in order as they finish.
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        futures = [pool.submit(grade, lab, solved) for lab, _, solved in jobs]
        for (lab, k, _), fut in zip(jobs, futures):
            lines, ok = judge(lab, k, fut.result())
            print("\n".join(lines), flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"honesty: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
