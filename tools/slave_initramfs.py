"""The Linux slave's initramfs: Debian's busybox-static, the kit's init and scripts
(slave/initramfs/), and the slave programs (slave/programs/*.cc, static C++), packed as an
uncompressed newc cpio archive. Deterministic: the same inputs give the same bytes.

Uncompressed because Bochs counts every instruction: GRUB reads the 1.8 MB more in ~19M
cycles, while Linux's gunzip of the compressed archive took ~74M (measured: userspace marker
105M cycles after launch instead of 179M).

Used by tools/slave_build.py (`make slave`)."""
import io
import hashlib
import os
import re
import subprocess
from pathlib import Path

import kit  # tools/kit.py: the solved-lab list and the overlay rule

BUSYBOX = Path("/bin/busybox")
# Real dynamically linked programs from Debian, with their shared libraries and loader at the
# same paths: rt-tests' cyclictest (a large program beside the kit's own static ones; the FPU
# state-integrity runs start it next to the checkers).
DYNAMIC_PROGRAMS = [Path("/usr/bin/cyclictest")]
CXXFLAGS = ["-std=c++20", "-O2", "-static", "-pthread", "-s", "-Wall", "-Wextra"]
COMPILE_FLAGS = ["-std=c++20", "-O2", "-pthread", "-Wall", "-Wextra"]  # for objects (-c)


def program_sources(root):
    """The sources of the slave's programs, relative to the kit: slave/programs/*.cc and the
    delegation daemon (libos/daemon/*.cc with the channel code it uses)."""
    root = Path(root)
    return [str(p.relative_to(root)) for p in sorted((root / "slave/programs").glob("*.cc"))
            + sorted((root / "libos/daemon").glob("*.cc")) + sorted((root / "libos/channel").glob("*.cc"))]


def program_names(root):
    """The programs /bin/vlibos runs, from the table in slave/programs/multicall.cc."""
    text = (root / "slave/programs/multicall.cc").read_text()
    return re.findall(r'\{"(vlibos[a-z0-9-]*)",', text)


def overlay(root, rel, solved):
    """The Makefile's overlay rule (tools/kit.py), so that the daemon runs the same lab code
    (e.g. lab 8's ring) as the master it serves."""
    return Path(kit.overlay(str(rel), solved, str(root)))


def build_programs(root, out, say, die, solved, prebuilt=None):
    """Link slave/programs/*.cc and the delegation daemon (libos/daemon/*.cc with the channel
    code it uses) into one static binary, build/slave/vlibos-<hash of its sources>. A source
    with an object in `prebuilt`/slave/ (the grader's compiled solutions of earlier labs) is
    linked as that object."""
    rels = [Path(r) for r in program_sources(root)]
    pre = (Path(prebuilt) if Path(prebuilt).is_absolute() else root / prebuilt) if prebuilt else None
    srcs = []
    for r in rels:
        obj = pre / "slave" / (str(r) + ".o") if pre else None
        srcs.append(obj if obj and obj.is_file() else overlay(root, r, solved))

    def name(f):
        try:
            return str(f.relative_to(root))
        except ValueError:
            return str(f)
    headers = (sorted((root / "slave/programs").glob("*.h")) + sorted((root / "libos").glob("*/*.h"))
               + [root / "hypervisor/core/xsave_layout.h"])
    h = hashlib.sha256(" ".join(CXXFLAGS).encode())
    for f in srcs + headers:
        h.update(name(f).encode() + b"\0" + f.read_bytes())
    dst = out / f"vlibos-{h.hexdigest()[:12]}"
    if not dst.exists():
        for old in out.glob("vlibos-*"):
            old.unlink()
        overlaid = [name(s) for s in srcs if str(s).startswith(str(root / "solutions")) or s.suffix == ".o"]
        say(f"initramfs: g++ -static slave/programs/*.cc libos/daemon/*.cc libos/channel/*.cc"
            + (f" (with {', '.join(overlaid)})" if overlaid else ""))
        tmp = dst.with_suffix(".tmp")
        r = subprocess.run(["g++", *CXXFLAGS, f"-I{root}", "-o", str(tmp), *map(str, srcs)], capture_output=True,
                           text=True)
        if r.returncode != 0:
            die(f"building the slave programs failed:\n{r.stderr}")
        os.replace(tmp, dst)
    return dst


class Cpio:
    """A newc ("070701") archive writer (the format the kernel's initramfs unpacker reads:
    Documentation/driver-api/early-userspace/buffer-format.rst)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
        self.ino += 1
        self.buf.write(b"070701" + b"".join(b"%08X" % f for f in fields))
        self.buf.write(name_b)
        self.buf.write(b"\0" * (-(110 + len(name_b)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def shared_objects(program, die):
    """The shared libraries and the loader `program` needs, as ldd lists them (absolute paths)."""
    r = subprocess.run(["ldd", str(program)], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"ldd {program} failed: {r.stderr.strip()}")
    libs = []
    for line in r.stdout.splitlines():
        m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        if m:
            libs.append(Path(m.group(1)))
    return libs


def add_dynamic(c, die):
    """DYNAMIC_PROGRAMS and their libraries at their own paths (directories made as needed)."""
    made = {"bin", "dev", "proc", "sys", "tmp", "etc", "etc/vlibos", "root"}
    names = []
    for prog in DYNAMIC_PROGRAMS:
        if not prog.exists():
            die(f"{prog} is missing (Debian package rt-tests; tools/setup.sh linux installs it)")
        for f in [prog] + shared_objects(prog, die):
            rel = str(f).lstrip("/")
            parts = rel.split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in made:
                    c.dir(d)
                    made.add(d)
            c.file(rel, f.resolve().read_bytes(), 0o755)
            names.append(f.name)
    return names


def build(root, out, say, die, solved=(), prebuilt=None):
    if not BUSYBOX.exists():
        die(f"{BUSYBOX} is missing (Debian package busybox-static; tools/setup.sh linux installs it)")
    binary = build_programs(root, out, say, die, solved, prebuilt)
    programs = program_names(root)
    tree = root / "slave/initramfs"
    c = Cpio()
    for d in ["bin", "dev", "proc", "sys", "tmp", "etc", "etc/vlibos", "root"]:
        c.dir(d)
    # The kernel opens /dev/console for init before anything is mounted.
    c.chardev("dev/console", 5, 1)
    c.file("init", (tree / "init").read_bytes(), 0o755)
    c.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    c.file("bin/vlibos", binary.read_bytes(), 0o755)
    for p in programs:
        c.symlink(f"bin/{p}", "vlibos")
    for f in sorted((tree / "etc/vlibos").glob("*.sh")):
        c.file(f"etc/vlibos/{f.name}", f.read_bytes(), 0o644)
    dynamic = add_dynamic(c, die)
    data = c.finish()
    dest = out / "initramfs.cpio"
    if not dest.exists() or dest.read_bytes() != data:
        tmp = dest.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    say(f"initramfs: {dest.relative_to(root)} ({len(data) // 1024} KiB; busybox + "
        f"vlibos ({', '.join(programs)}); {', '.join(dynamic)}; scripts: "
        f"{', '.join(f.stem for f in sorted((tree / 'etc/vlibos').glob('*.sh')))})")
