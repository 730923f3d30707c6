#!/usr/bin/env python3
"""Check the QEMU+GDB workflow end to end: QEMU waits on its gdb stub, gdb (batch mode) loads
the kernel's symbols, stops at kernel_main with the hardware breakpoint `make qemu-gdb`'s
.gdbinit uses, and prints a backtrace and the multiboot2 magic in EDI.

    tools/gdb_check.py [--kernel K]
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402  (tools/kit.py: where a build's kernel is)
import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default=kit.kernel_path(os.environ.get("SOLVED", "all")),
                    help="the kernel image (default: the build of $SOLVED, else all, as in the Makefile)")
    a = ap.parse_args()
    iso = run.cached_iso(a.kernel, "exit=emu")
    port = run.gdb_port() + 1  # not the interactive port: a student's session may be using it
    q = subprocess.Popen(["qemu-system-x86_64", "-m", "256", "-cpu", "max", "-no-reboot", "-display", "none",
                          "-cdrom", iso, "-serial", "null", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                          "-S", "-gdb", f"tcp::{port}"], stdin=subprocess.DEVNULL)
    script = tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False)
    script.write(f"""set confirm off
set pagination off
file {a.kernel}
target remote localhost:{port}
hbreak kernel_main
continue
bt
printf "magic in edi: %#x\\n", $edi
kill
""")
    script.close()
    try:
        r = subprocess.run(["gdb", "-nx", "-batch", "-x", script.name], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        print(r.stdout)
        ok = "kernel_main" in r.stdout and "#0" in r.stdout and "0x36d76289" in r.stdout
    finally:
        q.kill()
        q.wait()
        os.unlink(script.name)
    print("gdb-check: " + ("gdb stopped in kernel_main and printed a backtrace" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
