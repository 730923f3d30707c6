#!/usr/bin/env python3
"""Build the Linux slave: its kernel (from Debian's linux-source-6.1) and its initramfs.

    tools/slave_build.py kernel     -> build/slave/bzImage
    tools/slave_build.py initramfs  -> build/slave/initramfs.cpio
    tools/slave_build.py all
    tools/slave_build.py all --solved=0,1,8   the daemon with these labs' solution overlays
                                             (default: $SOLVED, else all, as in the Makefile)
    tools/slave_build.py initramfs --prebuilt=DIR   link DIR/slave/<source>.o in place of those
                                             sources (the grader's objects of earlier labs)

With VLIBOS_SLAVE_KERNEL=PATH the kernel is that file (built elsewhere: what a Gradescope
autograder ships), not built; without it, a student release's slave/prebuilt/bzImage (the
instructor's build, tools/handout.py) is used where linux-source-6.1 is not installed.

The kernel build takes several minutes, so its result is cached outside the working tree, in
$VLIBOS_CACHE (default ~/.cache/vlibos), keyed by the source package version and the hash of
slave/linux/slave.config: a second build, even from a fresh clone, copies the cached bzImage.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import kit  # tools/kit.py: the solved-lab list and the overlay rule

ROOT = Path(__file__).resolve().parent.parent
FRAGMENT = ROOT / "slave/linux/slave.config"
OUT = ROOT / "build/slave"
SOURCE_PKG = "linux-source-6.1"
SOURCE_TAR = Path("/usr/src/linux-source-6.1.tar.xz")
# Bump when the recipe below changes in a way the fragment hash does not see.
RECIPE = "tinyconfig+fragment v1"


def say(msg):
    print(f"slave: {msg}", flush=True)


def die(msg):
    print(f"slave: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def cache_root():
    base = os.environ.get("VLIBOS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "vlibos")
    p = Path(base)
    p.mkdir(parents=True, exist_ok=True)
    return p


def source_version():
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", SOURCE_PKG],
                       capture_output=True, text=True)
    if r.returncode != 0 or not SOURCE_TAR.exists():
        die(f"{SOURCE_PKG} is not installed (run tools/setup.sh linux)")
    return r.stdout.strip()


class Lock:
    """An exclusive lock on the cache, so two builds (CI, a grader) never share a half-built tree."""

    def __init__(self, path):
        self.f = open(path, "w")

    def __enter__(self):
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another build holds the cache lock; waiting...")
            fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def extract_source(cache, version):
    src = cache / f"src-{version}"
    if (src / "Makefile").exists():
        return src
    say(f"extracting {SOURCE_TAR} ({SOURCE_TAR.stat().st_size >> 20} MB) to {src} ...")
    tmp = cache / f"src-{version}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    with tarfile.open(SOURCE_TAR) as t:
        t.extractall(tmp)
    inner = [d for d in tmp.iterdir() if d.is_dir()]
    if len(inner) != 1:
        die(f"unexpected layout in {SOURCE_TAR}")
    inner[0].rename(src)
    shutil.rmtree(tmp)
    return src


def fragment_options():
    opts = {}
    for line in FRAGMENT.read_text().splitlines():
        line = line.strip()
        if line.startswith("CONFIG_") and "=" in line:
            k, v = line.split("=", 1)
            opts[k] = v
    return opts


def run_logged(cmd, log, what, cwd=None):
    """Run a long command with its output in a log file and a progress line every 20 s."""
    start = time.monotonic()
    with open(log, "a") as lf:
        lf.write(f"\n$ {' '.join(map(str, cmd))}\n")
        lf.flush()
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, cwd=cwd)
        last = start
        while p.poll() is None:
            time.sleep(1)
            now = time.monotonic()
            if now - last >= 20:
                last = now
                done = sum(1 for l in open(log, errors="replace") if l.lstrip().startswith(("CC ", "AS ", "LD ")))
                say(f"  {what}: {int(now - start)} s, {done} files compiled so far")
    if p.returncode != 0:
        tail = open(log, errors="replace").read().splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        die(f"{what} failed (exit {p.returncode}); full log: {log}")
    return time.monotonic() - start


def shipped_kernel():
    """A slave kernel built elsewhere ($VLIBOS_SLAVE_KERNEL, e.g. the one a Gradescope autograder
    or a handout ships, for machines without Debian's linux-source-6.1), if it is set; its
    PATH.key file, if any, says what it was built from (copied to build/slave/bzImage.key)."""
    path = os.environ.get("VLIBOS_SLAVE_KERNEL")
    if not path:
        # A student release ships the instructor's build (tools/handout.py): used where the
        # source package is missing (another distribution), never instead of a build here.
        shipped = ROOT / "slave/prebuilt/bzImage"
        have_source = subprocess.run(["dpkg-query", "-W", SOURCE_PKG], capture_output=True).returncode == 0
        return shipped if shipped.is_file() and not have_source else None
    image = Path(path)
    if not image.is_file():
        die(f"VLIBOS_SLAVE_KERNEL={path}: no such file")
    return image


def build_kernel():
    if (image := shipped_kernel()) is not None:
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, OUT / "bzImage")
        key = Path(str(image) + ".key")
        (OUT / "bzImage.key").write_text(key.read_text() if key.is_file() else f"shipped {image}\n")
        say(f"kernel: shipped ({image.stat().st_size // 1024} KiB, {image}; VLIBOS_SLAVE_KERNEL)")
        return
    version = source_version()
    frag = FRAGMENT.read_bytes()
    key = hashlib.sha256(version.encode() + b"\0" + RECIPE.encode() + b"\0" + frag).hexdigest()[:16]
    cache = cache_root()
    image = cache / f"bzImage-{key}"
    OUT.mkdir(parents=True, exist_ok=True)
    dest = OUT / "bzImage"
    if image.exists():
        shutil.copyfile(image, dest)
        (OUT / "bzImage.key").write_text(f"{SOURCE_PKG} {version} fragment {key}\n")
        say(f"kernel: cached ({image.stat().st_size // 1024} KiB, {SOURCE_PKG} {version}, key {key})")
        return
    with Lock(cache / "lock"):
        if image.exists():
            return build_kernel()
        say(f"kernel: building {SOURCE_PKG} {version} with {FRAGMENT.relative_to(ROOT)} "
            f"(key {key}); this takes 5-10 minutes on 2 cores, once per config")
        src = extract_source(cache, version)
        obj = cache / f"obj-{key}"
        obj.mkdir(exist_ok=True)
        log = cache / f"build-{key}.log"
        log.write_text("")
        jobs = str(os.cpu_count() or 2)
        make = ["make", "-C", str(src), f"O={obj}", "ARCH=x86_64"]
        run_logged(make + ["tinyconfig"], log, "tinyconfig")
        run_logged([str(src / "scripts/kconfig/merge_config.sh"), "-m", "-O", str(obj),
                    str(obj / ".config"), str(FRAGMENT)], log, "merge fragment", cwd=src)
        run_logged(make + ["olddefconfig"], log, "olddefconfig")
        final = {}
        for line in (obj / ".config").read_text().splitlines():
            if line.startswith("CONFIG_") and "=" in line:
                k, v = line.split("=", 1)
                final[k] = v
        lost = [f"{k}={v} (got {final.get(k, 'not set')})" for k, v in fragment_options().items()
                if final.get(k) != v]
        if lost:
            die("these options of the fragment did not survive olddefconfig (a missing dependency?):\n  "
                + "\n  ".join(lost))
        secs = run_logged(make + [f"-j{jobs}", "bzImage"], log, "make bzImage")
        built = obj / "arch/x86/boot/bzImage"
        shutil.copyfile(built, str(image) + ".tmp")
        os.replace(str(image) + ".tmp", image)
        say(f"kernel: built in {secs:.0f} s, {image.stat().st_size // 1024} KiB, cached as {image}")
    shutil.copyfile(image, dest)
    (OUT / "bzImage.key").write_text(f"{SOURCE_PKG} {version} fragment {key}\n")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith(("--solved=", "--prebuilt="))]
    prebuilt = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--prebuilt=")), None)
    solved = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--solved=")),
                  os.environ.get("SOLVED", "all"))
    what = args[0] if args else "all"
    if what in ("kernel", "all"):
        build_kernel()
    if what in ("initramfs", "all"):
        import slave_initramfs  # noqa: E402  (tools/slave_initramfs.py)
        slave_initramfs.build(ROOT, OUT, say, die, kit.solved_labs(solved, str(ROOT)), prebuilt)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
