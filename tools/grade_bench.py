#!/usr/bin/env python3
"""How long grading takes: each lab graded with its solution as the student's files, with a
warm compiler cache and, for the labs asked for, a cold one (a fresh, empty grader cache).

    tools/grade_bench.py [--labs 0,5,8] [--cold 0,5]

Wall-clock seconds: a benchmark to compare before and after a change to the grader, not a
test (grading time depends on the machine and its load). Prints a Markdown table.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: the solved-lab list)


def labs():
    d = os.path.join(ROOT, "autograder", "labs")
    return sorted(int(m.group(1)) for f in os.listdir(d) if (m := re.fullmatch(r"lab(\d+)\.toml", f)))


def grade(lab, env):
    solved = kit.labs_arg([n for n in kit.available_labs() if n <= lab])
    with tempfile.NamedTemporaryFile(suffix=".json") as res:
        t0 = time.monotonic()
        subprocess.run([sys.executable, os.path.join(ROOT, "autograder", "grade.py"), str(lab), "--solved", solved,
                        "--results", res.name, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env)
        secs = time.monotonic() - t0
        r = json.load(open(res.name))
    return secs, r["score"], r["max_score"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labs", default=",".join(map(str, labs())))
    ap.add_argument("--cold", default="0,5")
    a = ap.parse_args()
    wanted = [int(x) for x in a.labs.split(",") if x]
    cold = {int(x) for x in a.cold.split(",") if x}
    print("| lab | warm cache | cold cache | score |")
    print("|---|---|---|---|")
    for lab in wanted:
        cold_s = ""
        if lab in cold:
            with tempfile.TemporaryDirectory(prefix="grader-cold-ccache-") as d:
                secs, _, _ = grade(lab, dict(os.environ, VLIBOS_GRADER_CCACHE=d))
                cold_s = f"{secs:.0f} s"
        grade(lab, os.environ)  # make sure the warm run is warm
        secs, score, max_score = grade(lab, os.environ)
        print(f"| {lab} | {secs:.0f} s | {cold_s or '-'} | {score}/{max_score} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
