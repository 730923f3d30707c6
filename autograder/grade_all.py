#!/usr/bin/env python3
"""Grade every handin of a lab in a folder, as a TA would one by one, and summarize.

    autograder/grade_all.py LAB HANDINS_DIR [--jobs N] [--out DIR]

Each archive in HANDINS_DIR (`*.tar.gz`, `*.tgz`, `*.tar`: what `make handin` writes) is
graded by `handin.py grade` against the pristine kit (git HEAD), at most N at a time (default:
one per core, at most 2; each grading runs one emulator or one compiler at a time). The
student's name is the archive's file name without its extension. Written to DIR (default
build/grade-all-labLAB/):
  - <student>.json: the results.json of each handin, <student>.log: the grader's output;
  - grades.csv: one row per handin: score, maximum, the points of each step, written answers
    answered, the seconds the grading took, and `ok` or why it could not be graded;
  - summary.txt: count, mean, median, lowest and highest score, and a histogram in tenths.
One handin that breaks its grading (a timeout, a crash of the grader) gets its row with the
reason; the others go on.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUFFIXES = (".tar.gz", ".tgz", ".tar")
GRADING_TIMEOUT = 3600  # seconds for one handin, the emulator's own limit included


def student_of(name):
    for suf in SUFFIXES:
        if name.endswith(suf):
            return name[: -len(suf)]
    return None


def grade_one(lab, archive, out):
    student = student_of(os.path.basename(archive))
    results = os.path.join(out, f"{student}.json")
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "handin.py"), "grade", archive, str(lab),
                            "--results", results], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=GRADING_TIMEOUT)
        log, status = p.stdout.decode(errors="replace"), "ok"
    except subprocess.TimeoutExpired:
        log, status = "", f"the grading took over {GRADING_TIMEOUT} s"
    with open(os.path.join(out, f"{student}.log"), "w") as f:
        f.write(log)
    try:
        with open(results) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = None
        if status == "ok":
            status = "no results.json: see the log"
    return student, res, status, time.monotonic() - t0


def row_of(student, res, status, seconds, steps):
    row = {"student": student, "score": "", "max_score": "", "written_answered": "", "seconds": int(seconds),
           "status": status}
    for k in steps:
        row[f"step {k}"] = ""
    if res and "the submission could not be read" in res.get("output", ""):
        row["status"] = "the submission is not a readable archive"
    if res:
        row["score"], row["max_score"] = res.get("score", 0), res.get("max_score", 0)
        for t in res.get("tests", []):
            m = re.match(r"step (\d+): ", t["name"])
            if m and f"step {m.group(1)}" in row:
                row[f"step {m.group(1)}"] = (row[f"step {m.group(1)}"] or 0) + t.get("score", 0)
        written = [t for t in res.get("tests", []) if t["name"].startswith("written: ")]
        row["written_answered"] = f"{sum(t['status'] == 'passed' for t in written)}/{len(written)}"
    return row


def summary(rows, lab):
    graded = [r for r in rows if r["score"] != ""]
    lines = [f"lab {lab}: {len(rows)} handin(s), {len(graded)} graded"]
    if graded:
        scores = [r["score"] for r in graded]
        top = graded[0]["max_score"] or 1
        lines.append(f"score out of {top}: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                     f"lowest {min(scores)}, highest {max(scores)}")
        bins = [0] * 10
        for s in scores:
            bins[min(9, int(10 * s / top))] += 1
        width = max(bins)
        for i, n in enumerate(bins):
            label = f"{10 * i:3d}-{10 * i + 10 if i < 9 else 100:3d}%"
            lines.append(f"  {label} {'#' * (40 * n // width if width else 0):40} {n}")
    for r in rows:
        if r["status"] != "ok":
            lines.append(f"not graded: {r['student']}: {r['status']}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lab", type=int)
    ap.add_argument("handins")
    ap.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    ap.add_argument("--out")
    a = ap.parse_args()
    if not os.path.isdir(a.handins):
        sys.exit(f"grade-all: {a.handins} is not a folder")
    archives = sorted(os.path.join(a.handins, n) for n in os.listdir(a.handins) if student_of(n))
    if not archives:
        sys.exit(f"grade-all: no handins (*.tar.gz, *.tgz, *.tar) in {a.handins}")
    out = a.out or os.path.join(ROOT, "build", f"grade-all-lab{a.lab}")
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, HERE)
    from grade import load_spec
    steps = [st["number"] for st in load_spec(ROOT, a.lab).get("steps", [])]
    print(f"grade-all: lab {a.lab}: {len(archives)} handin(s), {a.jobs} at a time; results in {out}", flush=True)
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(grade_one, a.lab, arch, out) for arch in archives]
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            student, res, status, seconds = fut.result()
            row = row_of(student, res, status, seconds, steps)
            rows.append(row)
            shown = f"{row['score']}/{row['max_score']}" if row["score"] != "" else status
            print(f"grade-all: [{i}/{len(archives)}] {student}: {shown} ({seconds:.0f} s)", flush=True)
    rows.sort(key=lambda r: r["student"])
    fields = ["student", "score", "max_score"] + [f"step {k}" for k in steps] + ["written_answered", "seconds", "status"]
    with open(os.path.join(out, "grades.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    text = summary(rows, a.lab)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    print(f"grade-all: {os.path.join(out, 'grades.csv')}, {os.path.join(out, 'summary.txt')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
