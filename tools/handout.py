#!/usr/bin/env python3
"""Write the student release of the kit.

    tools/handout.py [--release 0,1] [--output build/handout]

Copies every committed file (git ls-files) except the solution overlays of labs not listed in
--release (default: none released) and the answer keys of the written questions
(solutions/keys/, never released) to OUTPUT/vlibos-kit/, adds the slave's kernel if built
(slave/prebuilt/bzImage), and packs OUTPUT/vlibos-kit.tar.gz.
Released overlays let students build later labs on a working earlier lab; `make grade`
uses whatever overlays the release contains.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: the solved-lab list)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--release", default="", help="labs whose solutions go to students, e.g. 0,1 (or all, none)")
    ap.add_argument("--output", default=os.path.join(ROOT, "build", "handout"))
    a = ap.parse_args()
    released = set(kit.solved_labs(a.release))
    files = subprocess.run(["git", "-C", ROOT, "ls-files"], stdout=subprocess.PIPE, text=True,
                           check=True).stdout.splitlines()
    dest = os.path.join(a.output, "vlibos-kit")
    shutil.rmtree(dest, ignore_errors=True)
    kept = withheld = 0
    for f in files:
        if f.startswith("solutions/keys/"):  # the written questions' answer keys: staff only
            withheld += 1
            continue
        lab = kit.solution_lab(f)
        if lab is not None and lab not in released:
            withheld += 1
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, f)) or dest, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), os.path.join(dest, f))
        kept += 1
    # The slave's kernel as the instructor built it: students on a system without Debian's
    # linux-source-6.1 (Ubuntu, Debian 13) then need no Linux build (tools/slave_build.py).
    image = os.path.join(ROOT, "build", "slave", "bzImage")
    if os.path.isfile(image):
        os.makedirs(os.path.join(dest, "slave", "prebuilt"), exist_ok=True)
        shutil.copy2(image, os.path.join(dest, "slave", "prebuilt", "bzImage"))
        if os.path.isfile(image + ".key"):
            shutil.copy2(image + ".key", os.path.join(dest, "slave", "prebuilt", "bzImage.key"))
        print("handout: the slave's kernel (build/slave/bzImage) ships as slave/prebuilt/bzImage")
    else:
        print("handout: no build/slave/bzImage (make slave): students will build the slave's kernel")
    archive = os.path.join(a.output, "vlibos-kit.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(dest, arcname="vlibos-kit")
    print(f"handout: {kept} files in {dest}; {withheld} solution file(s) withheld; "
          f"released solutions: {', '.join(map(str, sorted(released))) or 'none'}")
    print(f"handout: archive {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
