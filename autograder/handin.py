#!/usr/bin/env python3
"""Pack a student's lab files for submission, and grade a submission against a pristine kit.

    autograder/handin.py pack  LAB [--output handin-labN.tar.gz]
    autograder/handin.py grade ARCHIVE LAB [--kit DIR] [--results results.json]

`pack` takes exactly the student files of labs 0..LAB (the `student_files` of each
autograder/labs/labN.toml) and each lab's written answers and hours (labs/labN-*/answers.md,
labs/labN-*/time.txt) from the working tree; a symbolic link is packed as the file it points
to. `grade` copies a pristine kit (default: this
repository's committed HEAD, via `git archive`, with its solution overlays) to a private
temporary folder, takes from the archive only the graded lab's student files (anything else is
ignored and reported; links, devices, absolute paths, `..` and members over 1 MiB are refused
with a message; a member is read in pieces, never whole), and runs grade.py with the kit and
those files, so a submission cannot change tests, the grader or the build. The lab's
answers.md and time.txt are taken too, as text for the report, never built.
"""
import argparse
import glob
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEXT_LIMIT = 64 * 1024  # bytes of answers.md or time.txt taken from a submission


def text_files(root, lab):
    """The lab's written answers and hours, relative to `root`: labs/labN-*/answers.md, time.txt."""
    found = []
    for name in ("answers.md", "time.txt"):
        found += [os.path.relpath(p, root) for p in sorted(glob.glob(os.path.join(root, "labs", f"lab{lab}-*", name)))]
    return found


def student_files(root, upto):
    files = []
    d = os.path.join(root, "autograder", "labs")
    for name in sorted(os.listdir(d)):
        m = re.fullmatch(r"lab(\d+)\.toml", name)
        if m and int(m.group(1)) <= upto:
            with open(os.path.join(d, name), "rb") as f:
                files += tomllib.load(f).get("student_files", [])
            files += text_files(root, int(m.group(1)))
    return files


def pack(a):
    out = a.output or f"handin-lab{a.lab}.tar.gz"
    files = [p for p in student_files(ROOT, a.lab) if os.path.exists(os.path.join(ROOT, p))]
    with tarfile.open(out, "w:gz", dereference=True) as tar:
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


MEMBER_LIMIT = 1 << 20      # bytes per submitted file
ARCHIVE_MEMBERS_LIMIT = 1000


def lab_files(kit, lab):
    """The files a grading of `lab` takes from the student: the lab's own, and those of each
    earlier lab the course did not release (course.toml), which the grade builds from the
    student's own code."""
    sys.path.insert(0, os.path.join(kit, "autograder"))
    from grade import released_labs
    released = set(released_labs(kit))
    files = set()
    for n in range(lab + 1):
        path = os.path.join(kit, "autograder", "labs", f"lab{n}.toml")
        if (n == lab or n not in released) and os.path.exists(path):
            with open(path, "rb") as f:
                files |= set(tomllib.load(f).get("student_files", []))
    return files


def take_members(archive, wanted, dest, texts=()):
    """Copy the members named in `wanted` (code) or `texts` (answers, hours: at most TEXT_LIMIT
    bytes, never built) from `archive` to `dest`; say what was refused."""
    try:
        tar = tarfile.open(archive)
    except (OSError, tarfile.TarError) as e:
        print(f"handin: cannot read {archive}: {e}")
        return False
    taken = set()
    with tar:
        for i, m in enumerate(tar):
            if i >= ARCHIVE_MEMBERS_LIMIT:
                print(f"handin: more than {ARCHIVE_MEMBERS_LIMIT} members: the rest is ignored")
                break
            name = os.path.normpath(m.name)
            if m.isdir():
                continue
            if name not in wanted and name not in texts:
                print(f"handin: ignoring {m.name!r}: not a student file of this lab")
                continue
            limit = TEXT_LIMIT if name in texts else MEMBER_LIMIT
            if not m.isfile():
                kind = "a symbolic link" if m.issym() else "a hard link" if m.islnk() else "not a regular file"
                print(f"handin: refusing {m.name!r}: {kind}; submit the file itself (the skeleton is used)")
                continue
            if m.size > limit:
                print(f"handin: refusing {m.name!r}: {m.size} bytes, over the {limit}-byte limit"
                      + ("" if name in texts else " (the skeleton is used)"))
                continue
            if name in taken:
                print(f"handin: ignoring a second copy of {m.name!r}")
                continue
            src = tar.extractfile(m)
            out = os.path.join(dest, name)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            n = 0
            with open(out, "wb") as f:
                while chunk := src.read(65536):
                    n += len(chunk)
                    if n > limit:  # a header that lies about the size
                        break
                    f.write(chunk)
            if n > limit:
                os.unlink(out)
                print(f"handin: refusing {m.name!r}: longer than its header says and over the limit")
                continue
            taken.add(name)
            print(f"handin: using submitted {name}")
    for name in sorted(wanted - taken):
        print(f"handin: {name} is not in the submission: the skeleton is used")
    for name in sorted(set(texts) - taken):
        print(f"handin: {name} is not in the submission")
    return True


def grade_archive(kit, archive, lab, results, sandbox=None):
    """Grade `archive` (a .tar.gz) as lab `lab` with the kit in `kit`, which nothing of the
    submission can change: only the lab's student files are taken (the skeleton stands in for
    any it lacks), with its answers and hours as text. Writes `results`; returns grade.py's
    exit status."""
    work = tempfile.mkdtemp(prefix="handin-")  # 0700: nothing sandboxed can read it
    try:
        submitted = os.path.join(work, "submitted")
        os.makedirs(submitted)
        wanted = lab_files(kit, lab)
        results = os.path.abspath(results)
        if not take_members(archive, wanted, submitted, text_files(kit, lab)):
            sys.path.insert(0, HERE)
            from grade import load_spec, spec_tests, write_results
            tests = spec_tests(load_spec(kit, lab))
            for t in tests:
                t.output = "not graded: the submission is not a readable .tar.gz archive"
            write_results(results, tests, ["the submission could not be read"], 0)
            return 1
        for name in wanted:
            if not os.path.exists(os.path.join(submitted, name)):
                os.makedirs(os.path.dirname(os.path.join(submitted, name)), exist_ok=True)
                shutil.copyfile(os.path.join(kit, name), os.path.join(submitted, name))
        cmd = [sys.executable, os.path.join(kit, "autograder", "grade.py"), str(lab), "--root", kit,
               "--student", submitted, "--results", results]
        if sandbox:
            cmd += ["--sandbox", sandbox]
        return subprocess.call(cmd)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def grade(a):
    work = tempfile.mkdtemp(prefix="handin-")  # 0700: nothing sandboxed can read the kit here
    try:
        kit = os.path.join(work, "kit")
        if a.kit:
            shutil.copytree(a.kit, kit, ignore=shutil.ignore_patterns("build", ".git"), symlinks=True)
        else:
            os.makedirs(kit)
            pristine_kit(kit)
        return grade_archive(kit, a.archive, a.lab, a.results, a.sandbox)
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
    g.add_argument("--sandbox", choices=["auto", "bwrap", "user", "none"])
    a = ap.parse_args()
    return pack(a) if a.cmd == "pack" else grade(a)


if __name__ == "__main__":
    sys.exit(main())
