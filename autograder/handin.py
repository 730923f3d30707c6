#!/usr/bin/env python3
"""Pack a student's lab files for submission, and grade a submission against a pristine kit.

    autograder/handin.py pack  LAB [--output handin-labN.tar.gz]
    autograder/handin.py grade ARCHIVE LAB [--kit DIR] [--results results.json]

`pack` takes exactly the student files of labs 0..LAB (the `student_files` of each
autograder/labs/labN.toml, plus labs/lab0-boot/answers.md) from the working tree. `grade`
copies a pristine kit (default: this repository's committed HEAD, via `git archive`, with its
solution overlays) to a temporary directory, unpacks only those files from the archive over it
(anything else in the archive is ignored and reported; absolute paths and `..` are refused),
and runs grade.py there, so a submission cannot change tests, the grader or the build.
"""
import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXTRA_FILES = ["labs/lab0-boot/answers.md"]


def student_files(root, upto):
    files = []
    d = os.path.join(root, "autograder", "labs")
    for name in sorted(os.listdir(d)):
        m = re.fullmatch(r"lab(\d+)\.toml", name)
        if m and int(m.group(1)) <= upto:
            with open(os.path.join(d, name), "rb") as f:
                files += tomllib.load(f).get("student_files", [])
    return files + EXTRA_FILES


def pack(a):
    out = a.output or f"handin-lab{a.lab}.tar.gz"
    files = [p for p in student_files(ROOT, a.lab) if os.path.exists(os.path.join(ROOT, p))]
    with tarfile.open(out, "w:gz") as tar:
        for p in files:
            tar.add(os.path.join(ROOT, p), arcname=p)
    print(f"handin: packed {len(files)} file(s) into {out}:")
    for p in files:
        print(f"    {p}")
    return 0


def pristine_kit(dest):
    r = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar", "HEAD"], stdout=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("handin: cannot export the kit with git archive (is this a git checkout?)")
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tar:
        tar.extractall(dest, filter="data")


def grade(a):
    work = tempfile.mkdtemp(prefix="handin-")
    try:
        kit = os.path.join(work, "kit")
        if a.kit:
            shutil.copytree(a.kit, kit, ignore=shutil.ignore_patterns("build", ".git"))
        else:
            os.makedirs(kit)
            pristine_kit(kit)
        allowed = set(student_files(kit, 99))
        try:
            tar = tarfile.open(a.archive)
        except (OSError, tarfile.TarError) as e:
            sys.exit(f"handin: cannot read {a.archive}: {e}")
        with tar:
            for m in tar.getmembers():
                name = os.path.normpath(m.name)
                if name not in allowed or not m.isfile():
                    print(f"handin: ignoring {m.name!r}: not a student file")
                    continue
                data = tar.extractfile(m).read()
                with open(os.path.join(kit, name), "wb") as f:
                    f.write(data)
                print(f"handin: using submitted {name}")
        results = os.path.abspath(a.results)
        return subprocess.call([sys.executable, os.path.join(kit, "autograder", "grade.py"), str(a.lab),
                                "--root", kit, "--results", results])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("lab", type=int)
    p.add_argument("--output")
    g = sub.add_parser("grade")
    g.add_argument("archive")
    g.add_argument("lab", type=int)
    g.add_argument("--kit", help="grade against this kit directory instead of git HEAD")
    g.add_argument("--results", default="results.json")
    a = ap.parse_args()
    return pack(a) if a.cmd == "pack" else grade(a)


if __name__ == "__main__":
    sys.exit(main())
