#!/usr/bin/env python3
"""The kit as a Gradescope autograder ("Autograder Specifications" of Gradescope's docs).

    autograder/gradescope.py build LAB [--output build/gradescope/labN.zip]
        the autograder zip: setup.sh, run_autograder, the kit (git HEAD, solutions included:
        Gradescope never shows the autograder to students, and the grader's sandbox keeps them
        out of a submission's reach), and, for labs that boot the Linux slave, its prebuilt
        kernel, so that no grading machine builds Linux
    autograder/gradescope.py run [--root /autograder]
        what run_autograder does: take the submission from ROOT/submission (the files loose, in
        folders or not, or one .zip, .tar or .tar.gz), grade it with the kit in ROOT/source and
        write ROOT/results/results.json
    autograder/gradescope.py check LAB
        run_autograder against a scratch ROOT in a temporary folder (here: setup.sh is for
        Gradescope's Ubuntu images and is not run): the reference solution's files, loose,
        must get every point; an empty submission none

A submitted file counts if its path ends with one of the lab's student files (labs/labN-x/
answers.md and time.txt too), e.g. `kernel/core/format_int.cc`, `src/kernel/core/format_int.cc`,
or, when its name is unique among them, `format_int.cc`; everything else is ignored and listed.
"""
import argparse
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import handin  # noqa: E402  (autograder/handin.py: the lab's files, taking members safely)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 or
# 24.04). It installs what the grader needs, unpacks the kit and grades the reference once, so
# that every student's grade starts with warm compiler caches.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends g++ make cmake python3 python3-tomli catch2 \
    grub-common grub-pc-bin xorriso mtools ccache bochs bochsbios vgabios bubblewrap \
    busybox-static cpio git >/dev/null
mkdir -p kit
tar -xzf kit.tar.gz -C kit
if [ -f bzImage ]; then export VLIBOS_SLAVE_KERNEL=/autograder/source/bzImage; fi
python3 kit/autograder/grade.py {lab} --root kit --solved all --results /tmp/setup-results.json \
    || echo "setup: the reference did not get every point: see above"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission.
cd /autograder/source
if [ -f bzImage ]; then export VLIBOS_SLAVE_KERNEL=/autograder/source/bzImage; fi
exec python3 kit/autograder/gradescope.py run --root /autograder --lab {lab}
"""


def spec(kit, lab):
    sys.path.insert(0, os.path.join(kit, "autograder"))
    from grade import load_spec
    return load_spec(kit, lab)


def build(a):
    out = a.output or os.path.join(ROOT, "build", "gradescope", f"lab{a.lab}.zip")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    r = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar.gz", "HEAD"], stdout=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("gradescope: cannot export the kit with git archive (is this a git checkout?)")
    slave = spec(ROOT, a.lab).get("target", {}).get("slave", False)
    image = os.path.join(ROOT, "build", "slave", "bzImage")
    if slave and not os.path.exists(image):
        sys.exit("gradescope: this lab boots the Linux slave: run `make slave` first, so that the "
                 "autograder ships its kernel")

    def add(z, name, data, mode=0o644):
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)

    with zipfile.ZipFile(out, "w") as z:
        add(z, "setup.sh", SETUP_SH.replace("{lab}", str(a.lab)), 0o755)
        add(z, "run_autograder", RUN_AUTOGRADER.replace("{lab}", str(a.lab)), 0o755)
        add(z, "kit.tar.gz", r.stdout)
        if slave:
            with open(image, "rb") as f:
                add(z, "bzImage", f.read())
            key = image + ".key"
            if os.path.exists(key):
                with open(key, "rb") as f:
                    add(z, "bzImage.key", f.read())
    print(f"gradescope: {out} ({os.path.getsize(out) // 1024} KiB): setup.sh, run_autograder, the kit"
          + (", the slave's kernel" if slave else ""))
    print("gradescope: upload it as the assignment's autograder (Ubuntu 22.04 or 24.04 base image); "
          "docs/instructor-guide.md has the settings")
    return 0


def wanted_paths(kit, lab):
    return sorted(handin.lab_files(kit, lab)) + handin.text_files(kit, lab)


def collect(submission, wanted):
    """[(kit path, file)] of a Gradescope submission folder: loose files or one archive."""
    files = []
    for d, _, names in os.walk(submission):
        for n in names:
            files.append(os.path.join(d, n))
    archives = [f for f in files if f.endswith((".zip", ".tar", ".tar.gz", ".tgz"))]
    if len(files) == 1 and archives:
        return archives[0], None
    by_name = {}
    for w in wanted:
        by_name.setdefault(os.path.basename(w), []).append(w)
    taken, notes = {}, []
    for f in sorted(files):
        rel = os.path.relpath(f, submission).replace(os.sep, "/")
        match = [w for w in wanted if rel == w or rel.endswith("/" + w)]
        if not match and len(by_name.get(os.path.basename(rel), [])) == 1:
            match = by_name[os.path.basename(rel)]
        if not match:
            notes.append(f"gradescope: ignoring {rel!r}: not a file of this lab")
            continue
        if match[0] in taken:
            notes.append(f"gradescope: ignoring {rel!r}: {match[0]} was submitted already")
            continue
        taken[match[0]] = f
    return None, (taken, notes)


def as_tar(taken, dest):
    """A .tar.gz of the files found, named as the kit names them (links are not followed)."""
    with tarfile.open(dest, "w:gz") as tar:
        for path, f in sorted(taken.items()):
            if os.path.islink(f) or not os.path.isfile(f):
                print(f"gradescope: refusing {path}: not a regular file")
                continue
            tar.add(f, arcname=path, recursive=False)


def zip_as_tar(archive, dest):
    """A .zip submission as a .tar.gz of its regular members (handin's checks then apply)."""
    with zipfile.ZipFile(archive) as z, tarfile.open(dest, "w:gz") as tar:
        for i, info in enumerate(z.infolist()):
            if i >= handin.ARCHIVE_MEMBERS_LIMIT:
                break
            if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16):
                continue
            if info.file_size > handin.MEMBER_LIMIT:
                print(f"gradescope: refusing {info.filename!r}: {info.file_size} bytes, over the limit")
                continue
            data = z.read(info)[:handin.MEMBER_LIMIT + 1]
            t = tarfile.TarInfo(info.filename)
            t.size = len(data)
            tar.addfile(t, io.BytesIO(data))


def run(a):
    root = os.path.abspath(a.root)
    kit = os.path.join(root, "source", "kit")
    results = os.path.join(root, "results", "results.json")
    os.makedirs(os.path.dirname(results), exist_ok=True)
    work = tempfile.mkdtemp(prefix="gradescope-")
    try:
        archive = os.path.join(work, "submission.tar.gz")
        wanted = wanted_paths(kit, a.lab)
        found, loose = collect(os.path.join(root, "submission"), wanted)
        if found and found.endswith(".zip"):
            try:
                zip_as_tar(found, archive)
            except (OSError, zipfile.BadZipFile) as e:
                print(f"gradescope: cannot read {os.path.basename(found)}: {e}")
                with tarfile.open(archive, "w:gz"):
                    pass
        elif found:
            shutil.copyfile(found, archive)
        else:
            taken, notes = loose
            for n in notes:
                print(n)
            as_tar(taken, archive)
        # The kit in ROOT/source is the autograder's own copy, which no submission can change
        # (the grader builds and runs student code in its sandbox): graded in place, with the
        # caches setup.sh warmed.
        return handin.grade_archive(kit, archive, a.lab, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(a):
    """run_autograder in a scratch layout: the reference's files loose, then nothing."""
    with tempfile.TemporaryDirectory(prefix="gradescope-check-") as d:
        src = os.path.join(d, "source")
        os.makedirs(os.path.join(src, "kit"))
        handin.pristine_kit(os.path.join(src, "kit"))
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        import kit as kitpy
        scores = []
        for case in ("reference", "empty"):
            sub = os.path.join(d, "submission")
            shutil.rmtree(sub, ignore_errors=True)
            shutil.rmtree(os.path.join(d, "results"), ignore_errors=True)
            os.makedirs(sub)
            if case == "reference":
                for i, p in enumerate(sorted(handin.lab_files(ROOT, a.lab))):
                    src_file = kitpy.overlay(p, [a.lab], ROOT)
                    # Loose, as a student drags them in: some in folders, some by name alone.
                    dest = os.path.join(sub, os.path.basename(p) if i % 2 else p)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    shutil.copyfile(src_file, dest)
            env = dict(os.environ)
            if spec(ROOT, a.lab).get("target", {}).get("slave", False):
                # As on Gradescope: the shipped kernel, never a build of Linux.
                env["VLIBOS_SLAVE_KERNEL"] = os.path.join(ROOT, "build", "slave", "bzImage")
            r = subprocess.run([sys.executable, os.path.join(src, "kit", "autograder", "gradescope.py"), "run",
                                "--root", d, "--lab", str(a.lab)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
            path = os.path.join(d, "results", "results.json")
            if not os.path.exists(path):
                print(r.stdout[-3000:])
                print(f"gradescope: check: lab {a.lab}, {case}: no results.json")
                return 1
            with open(path) as f:
                res = json.load(f)
            total = sum(t.get("max_score", 0) for t in res.get("tests", []))
            print(f"gradescope: check: lab {a.lab}, {case} submission: {res.get('score')} of {total} "
                  f"points ({len(res.get('tests', []))} tests)")
            scores.append((res.get("score"), total))
        (ref, total), (empty, _) = scores
        if ref != total or empty != 0 or total == 0:
            print(f"gradescope: check: lab {a.lab}: FAIL (the reference must get all {total} points, "
                  "an empty submission none)")
            return 1
        print(f"gradescope: check: lab {a.lab}: ok")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("lab", type=int)
    b.add_argument("--output")
    r = sub.add_parser("run")
    r.add_argument("--root", default="/autograder")
    r.add_argument("--lab", type=int, required=True)
    c = sub.add_parser("check")
    c.add_argument("lab", type=int)
    a = ap.parse_args()
    return {"build": build, "run": run, "check": check}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
