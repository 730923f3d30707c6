#!/usr/bin/env python3
"""Build boot images and run the kernel in QEMU or Bochs, always with a timeout.

    tools/run.py iso   --kernel K [--hybrid] --output X.iso [--cmdline "..."]
    tools/run.py qemu  --kernel K [--cmdline ...] [--timeout S] [--gdb] [--interactive] [--uefi]
    tools/run.py bochs --kernel K [--cmdline ...] [--timeout S] [--cpus N] [--debugger]

A non-interactive run copies the serial console to stdout and to --log, then ends with one
line `run: <emulator>: <verdict>` and an exit status: 0 the kernel reported success
(`@@ exit code=0`), 1 it reported failure or panicked, 2 timeout, 3 the emulator stopped without
a verdict (triple fault, crash) or could not start. Used by the Makefile and the autograder.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRUB_BIOS_DIR = "/usr/lib/grub/i386-pc"
BOCHS_SHARE = "/usr/share/bochs"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLAVE_KERNEL = os.path.join(ROOT, "build", "slave", "bzImage")
SLAVE_INITRD = os.path.join(ROOT, "build", "slave", "initramfs.cpio")
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"

EXIT_OK, EXIT_FAIL, EXIT_TIMEOUT, EXIT_EMULATOR = 0, 1, 2, 3


def grub_cfg(cmdline, apps=(), files=()):
    # GRUB 2.06 hands a multiboot2 kernel that requests a framebuffer (ours does: UEFI has no
    # text mode) a linear framebuffer on BIOS machines too; the kernel draws text on either.
    # On UEFI, all_video lets GRUB use the firmware's GOP mode.
    modules = "".join(f"    module2 /boot/{name}.elf {name} {args}\n" for name, args in app_specs(apps))
    modules += "".join(f"    module2 /boot/{module_file(i, path)} {string}\n" for i, (path, string) in enumerate(files))
    return f"""set timeout=0
set default=0
if [ "$grub_platform" = "efi" ]; then
    insmod all_video
fi
menuentry "vLibOS" {{
    multiboot2 /boot/kernel.elf {cmdline}
{modules}    boot
}}
"""


def module_file(i, path):
    """Name of extra module i in the ISO's /boot (numbered: two files may share a name)."""
    return f"m{i}-{os.path.basename(path)}"


def app_specs(apps):
    """("name", "args") for each "name args..." string."""
    for a in apps:
        name, _, args = a.strip().partition(" ")
        yield name, args.strip()


def app_path(kernel, name):
    return os.path.join(os.path.dirname(os.path.abspath(kernel)), "apps", name + ".elf")


def make_iso(kernel, output, cmdline, hybrid=False, apps=(), files=()):
    """Make a GRUB ISO holding the kernel with `cmdline`. The small BIOS-only image boots far
    faster in Bochs than the default 20 MB one (GRUB reads every file from the CD); --hybrid adds UEFI for lab PCs."""
    with tempfile.TemporaryDirectory() as stage:
        os.makedirs(os.path.join(stage, "boot", "grub"))
        shutil.copy(kernel, os.path.join(stage, "boot", "kernel.elf"))
        for name, _ in app_specs(apps):
            src = app_path(kernel, name)
            if not os.path.exists(src):
                sys.exit(f"run: no application '{name}' at {src} (make apps builds them)")
            shutil.copy(src, os.path.join(stage, "boot", name + ".elf"))
        for i, (path, _) in enumerate(files):
            shutil.copy(path, os.path.join(stage, "boot", module_file(i, path)))
        with open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(grub_cfg(cmdline, apps, files))
        cmd = ["grub-mkrescue", "-o", output, "--locales=", "--fonts=", "--themes="]
        if hybrid:
            cmd += ["--compress=xz", "--mbr-force-bootable"]
        else:
            cmd += ["-d", GRUB_BIOS_DIR,
                    "--install-modules=multiboot2 normal iso9660 biosdisk configfile test"]
        cmd.append(stage)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"run: grub-mkrescue failed:\n{r.stdout}")
    return output


def cached_iso(kernel, cmdline, hybrid=False, apps=(), files=()):
    """ISO for (kernel, apps, files, cmdline) in the kernel's build directory, rebuilt when any
    changes."""
    h = hashlib.sha1()
    for path in [kernel] + [app_path(kernel, n) for n, _ in app_specs(apps)] + [p for p, _ in files]:
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(cmdline.encode())
    h.update(b"hybrid" if hybrid else b"bios")
    h.update(grub_cfg(cmdline, apps, files).encode())
    d = os.path.join(os.path.dirname(os.path.abspath(kernel)), "iso")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, h.hexdigest()[:16] + ".iso")
    if not os.path.exists(path):
        for old in os.listdir(d):  # keep the directory small
            if old.endswith(".iso") and len(os.listdir(d)) > 16:
                os.unlink(os.path.join(d, old))
        # A temporary name of this process's own: two runs with the same image may build it at
        # once (the last one to finish replaces the other's, with the same bytes).
        tmp = f"{path}.{os.getpid()}.tmp"
        make_iso(kernel, tmp, cmdline, hybrid, apps, files)
        os.replace(tmp, path)
    return path


def verdict_of(text):
    """(status, message) from the `@@` lines of a finished run's console output."""
    m = re.findall(r"^@@ exit code=(\d+)", text, re.M)
    panic = re.search(r'^@@ panic reason="([^"]*)"', text, re.M)
    if m:
        code = int(m[-1])
        if code == 0:
            return EXIT_OK, "kernel reported success"
        if panic:
            return EXIT_FAIL, f"kernel panic: {panic.group(1)}"
        return EXIT_FAIL, "kernel reported failure"
    if panic:
        return EXIT_FAIL, f"kernel panic: {panic.group(1)}"
    return None


def symbolize(text, kernel):
    """Name the addresses of `#N 0x...` lines (a panic's backtrace, late_timers=) with addr2line."""
    addrs = re.findall(r"^\s*#\d+ (0x[0-9a-f]{16})\s*$", text, re.M)
    if not addrs or not shutil.which("addr2line"):
        return
    r = subprocess.run(["addr2line", "-f", "-C", "-p", "-e", kernel] + addrs,
                       stdout=subprocess.PIPE, text=True)
    print("run: the addresses above (#N 0x...), named:")
    for a, line in zip(addrs, r.stdout.splitlines()):
        print(f"    {a}  {line.replace(ROOT + '/', '')}")


def gdb_port():
    # One port per user, as xv6 does, so students sharing a machine do not collide.
    return os.getuid() % 5000 + 25000


def write_gdbinit(kernel, port):
    with open(os.path.join(ROOT, ".gdbinit"), "w") as f:
        f.write(f"""# Written by `make qemu-gdb`; load with `make gdb` (gdb -x .gdbinit).
set confirm off
file {os.path.relpath(kernel, ROOT)}
target remote localhost:{port}
# A hardware breakpoint: GRUB loads the kernel after QEMU starts, which would overwrite the
# INT3 of a software breakpoint placed now.
hbreak kernel_main
""")


def run_qemu(a):
    iso = cached_iso(a.kernel, a.cmdline, hybrid=a.uefi, apps=a.app, files=a.files)
    cmd = ["qemu-system-x86_64", "-m", str(a.memory), "-smp", str(a.cpus), "-no-reboot",
           "-cdrom", iso, "-boot", "d",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        cmd += ["-enable-kvm", "-cpu", "host"]
    else:
        cmd += ["-cpu", "max"]
    if a.uefi:
        vars_copy = os.path.join(tempfile.mkdtemp(), "OVMF_VARS.fd")
        shutil.copy(OVMF_VARS, vars_copy)  # a fresh copy per run: firmware writes it
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}", "-nic", "none"]
    if a.screenshot:
        cmd += ["-display", "none", "-monitor", f"unix:{a.screenshot}.sock,server,nowait"]
    elif a.interactive and os.environ.get("DISPLAY"):
        pass
    else:
        cmd += ["-display", "none"]
    if a.gdb:
        port = gdb_port()
        write_gdbinit(a.kernel, port)
        cmd += ["-S", "-gdb", f"tcp::{port}"]
        print(f"run: QEMU waits for GDB on port {port}; in another terminal: make gdb")
    if a.interactive:
        cmd += ["-serial", "mon:stdio"]
        print("run: " + " ".join(cmd))
        print("run: QEMU's console is here; Ctrl-a x quits, Ctrl-a c switches to the monitor")
        return subprocess.call(cmd)
    work = tempfile.mkdtemp(prefix="qemu-")
    qlog = os.path.join(work, "qemu.log")
    # -d cpu_reset logs "Triple fault" when the guest triple-faults (with -no-reboot QEMU
    # then just exits), so the verdict can say so.
    cmd += ["-serial", "stdio", "-d", "cpu_reset", "-D", qlog]
    try:
        return supervise("qemu", cmd, a, env=None, emulator_log=qlog)
    finally:
        shutil.rmtree(work, ignore_errors=True)


BOCHSRC = """# Written by tools/run.py.
megs: {memory}
cpu: model=corei7_skylake_x, count={cpus}, ips={ips}, reset_on_triple_fault=0
clock: sync=none, time0=1
romimage: file={share}/BIOS-bochs-latest
vgaromimage: file={share}/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
port_e9_hack: enabled=1
display_library: sdl2
log: {log}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
"""


def run_bochs(a):
    # Nobody sees a headless Bochs screen, and drawing on it costs ~10^6 emulated instructions
    # per scrolled line with interrupts off: keep it out of cycle-exact measurements.
    if a.screen is False and "console=" not in a.cmdline:
        a.cmdline = (a.cmdline + " console=serial").strip()
    iso = cached_iso(a.kernel, a.cmdline, apps=a.app, files=a.files)
    work = tempfile.mkdtemp(prefix="bochs-")
    serial = os.path.join(work, "serial.txt")
    log = a.bochs_log or os.path.join(work, "bochs.log")
    rc = os.path.join(work, "bochsrc")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(memory=a.memory, cpus=a.cpus, ips=a.ips, share=BOCHS_SHARE,
                               iso=iso, serial=serial, log=log))
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    if a.debugger:
        print("run: Bochs internal debugger: `c` continues, `Ctrl-C` breaks, `help` lists commands")
        return subprocess.call(["bochs", "-q", "-f", rc], env=env)
    cont = os.path.join(work, "cont.rc")
    with open(cont, "w") as f:
        f.write("c\n")  # Debian's bochs has the debugger built in: continue at once
    cmd = ["bochs", "-q", "-f", rc, "-rc", cont]
    status = supervise("bochs", cmd, a, env=env, serial_file=serial, emulator_log=log)
    if status == EXIT_EMULATOR and not a.quiet:
        print(f"run: Bochs log: {log}")
    elif not a.bochs_log:
        shutil.rmtree(work, ignore_errors=True)
    return status


def triple_fault(emulator_log):
    """Whether the emulator's own log shows a triple fault (QEMU -d cpu_reset; Bochs with
    reset_on_triple_fault=0 reports the third exception and stops)."""
    try:
        with open(emulator_log, "rb") as f:
            text = f.read(8 << 20).decode(errors="replace").lower()
    except (OSError, TypeError):
        return False
    return "triple fault" in text or "exception with no resolution" in text


def supervise(name, cmd, a, env, serial_file=None, emulator_log=None):
    """Run the emulator with a timeout, echo the console, and decide the verdict."""
    with tempfile.TemporaryDirectory(prefix=name + "-") as tmp:
        return _supervise(name, cmd, a, env, serial_file, emulator_log, os.path.join(tmp, "stdout.txt"))


def _supervise(name, cmd, a, env, serial_file, emulator_log, out_path):
    start = time.monotonic()
    with open(out_path, "w") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        timed_out = False
        seen = 0
        while p.poll() is None:
            if time.monotonic() - start > a.timeout:
                timed_out = True
                os.killpg(p.pid, 9)
                p.wait()
                break
            time.sleep(0.05)
            seen = echo_new(serial_file or out_path, seen, a.quiet)
    text = read_text(serial_file or out_path)
    echo_new(serial_file or out_path, seen, a.quiet)
    if a.log:
        with open(a.log, "w") as f:
            f.write(text)
    elapsed = time.monotonic() - start
    v = verdict_of(text)
    if v:
        status, msg = v
    elif timed_out:
        status, msg = EXIT_TIMEOUT, f"timed out after {a.timeout:.0f} s (the kernel hung, or is too slow)"
    elif triple_fault(emulator_log):
        status, msg = EXIT_EMULATOR, (f"{name}: the machine triple-faulted (an exception while handling an "
                                      f"exception: a broken stack, IDT or page table); make qemu-gdb or make "
                                      f"bochs-dbg shows where")
    else:
        emu_out = open(out_path, errors="replace").read()
        status, msg = EXIT_EMULATOR, f"{name} stopped without a verdict (the emulator crashed or was killed)"
        tail = "\n".join(l[:200] for l in emu_out.strip().splitlines()[-5:])
        if tail:
            msg += f"; its last words:\n{tail}"
    if not a.quiet and text and not text.endswith("\n"):
        print()
    symbolize(text, a.kernel)
    print(f"run: {name}: {msg} ({elapsed:.1f} s)")
    return status


def read_text(path):
    """The file's text; "" if the emulator never created it (it failed to start: its log says why)."""
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def echo_new(path, seen, quiet):
    try:
        with open(path, "rb") as f:
            f.seek(seen)
            data = f.read()
    except FileNotFoundError:
        return seen
    if data and not quiet:
        sys.stdout.write(data.decode(errors="replace").replace("\r\n", "\n"))
        sys.stdout.flush()
    return seen + len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["iso", "qemu", "bochs"])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--output", help="iso: where to write it")
    ap.add_argument("--app", action="append", default=[],
                    help='a master application to start: "name args..." (repeatable)')
    ap.add_argument("--module", action="append", default=[], metavar="PATH=STRING",
                    help="add file PATH as a boot module named STRING (repeatable)")
    ap.add_argument("--slave", action="store_true",
                    help="boot the Linux slave too: adds build/slave/{bzImage,initramfs.cpio} as "
                         "modules and slave=linux to the command line (make slave builds them)")
    ap.add_argument("--hybrid", action="store_true", help="iso: BIOS+UEFI")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--memory", type=int, default=256, help="MiB")
    ap.add_argument("--ips", type=int, default=10_000_000, help="bochs: instructions per emulated second")
    ap.add_argument("--log", help="also write the console output here")
    ap.add_argument("--bochs-log", help="bochs: keep its log here")
    ap.add_argument("--quiet", action="store_true", help="do not echo the console")
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--gdb", action="store_true")
    ap.add_argument("--uefi", action="store_true", help="qemu: boot the hybrid ISO with OVMF")
    ap.add_argument("--screenshot", help=argparse.SUPPRESS)
    ap.add_argument("--debugger", action="store_true", help="bochs: stop in the internal debugger")
    ap.add_argument("--screen", action="store_true", default=False,
                    help="bochs: keep the screen console (default: serial only, console=serial)")
    a = ap.parse_args()
    if not os.path.exists(a.kernel):
        sys.exit(f"run: no kernel at {a.kernel}: build it first (make kernel)")
    a.files = []
    for spec in a.module:
        path, _, string = spec.partition("=")
        if not os.path.exists(path):
            sys.exit(f"run: no module file at {path}")
        a.files.append((path, string or os.path.basename(path)))
    if a.slave:
        for path, string in ((SLAVE_KERNEL, "slave-kernel"), (SLAVE_INITRD, "slave-initrd")):
            if not os.path.exists(path):
                sys.exit(f"run: no {path}: build the Linux slave first (make slave)")
            a.files.append((path, string))
        if "slave=" not in a.cmdline:
            a.cmdline = (a.cmdline + " slave=linux").strip()
    if a.target == "iso":
        make_iso(a.kernel, a.output, a.cmdline, hybrid=a.hybrid, apps=a.app, files=a.files)
        print(f"run: wrote {a.output} ({os.path.getsize(a.output) // 1024} KiB)")
        return 0
    return run_qemu(a) if a.target == "qemu" else run_bochs(a)


if __name__ == "__main__":
    sys.exit(main())
