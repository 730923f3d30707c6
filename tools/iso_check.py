#!/usr/bin/env python3
"""Boot the hybrid lab-PC ISO in QEMU under SeaBIOS or OVMF and check the screen shows text.

    tools/iso_check.py [--kernel K] --firmware bios|uefi [--png out.png]

The kernel runs without `exit=emu`, as on a real PC: it halts when done. Once the serial console
shows the boot finished, a QEMU monitor `screendump` captures the screen; the check passes if
the kernel reached the end of its boot and the screen holds text (enough lit pixels in the
top rows, where the banner is). --png keeps the screenshot for a person to look at.
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402  (tools/kit.py: where a build's kernel is)
import run  # noqa: E402


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6":
        raise ValueError("not a binary PPM")
    w, h, maxv = int(parts[1]), int(parts[2]), int(parts[3])
    return w, h, parts[4][: w * h * 3]


def write_png(path, w, h, rgb):
    raw = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))
    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def monitor(sock_path, command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.settimeout(5)
    time.sleep(0.2)
    s.sendall(command.encode() + b"\n")
    time.sleep(0.8)
    s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default=kit.kernel_path(os.environ.get("SOLVED", "all")),
                    help="the kernel image (default: the build of $SOLVED, else all, as in the Makefile)")
    ap.add_argument("--firmware", choices=["bios", "uefi"], required=True)
    ap.add_argument("--png")
    ap.add_argument("--timeout", type=float, default=90)
    a = ap.parse_args()
    iso = run.cached_iso(a.kernel, "", hybrid=True)
    work = tempfile.mkdtemp(prefix="isocheck-")
    serial, sock, shot = (os.path.join(work, n) for n in ("serial.txt", "mon.sock", "screen.ppm"))
    cmd = ["qemu-system-x86_64", "-m", "256", "-smp", "2", "-cpu", "max", "-no-reboot", "-cdrom", iso,
           "-display", "none", "-serial", f"file:{serial}", "-monitor", f"unix:{sock},server,nowait"]
    if a.firmware == "uefi":
        vars_copy = os.path.join(work, "OVMF_VARS.fd")
        shutil.copy(run.OVMF_VARS, vars_copy)
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={run.OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}", "-nic", "none"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    start = time.monotonic()
    text = ""
    try:
        while time.monotonic() - start < a.timeout and p.poll() is None:
            time.sleep(0.25)
            if os.path.exists(serial):
                text = run.read_text(serial)
                if "system halted" in text:
                    break
        if "system halted" not in text:
            print(text[-2000:])
            print(f"iso-check: {a.firmware}: the kernel did not finish booting within {a.timeout:.0f} s")
            return 1
        time.sleep(0.5)
        monitor(sock, f"screendump {shot}")
        for _ in range(20):
            if os.path.exists(shot) and os.path.getsize(shot) > 0:
                break
            time.sleep(0.25)
    finally:
        p.kill()
        p.wait()
    print("\n".join(l for l in text.splitlines() if l.startswith(("vLibOS", "screen:", "@@ boot"))))
    w, h, rgb = read_ppm(shot)
    if a.png:
        write_png(a.png, w, h, rgb)
    # Lit pixels in the top 64 rows, where the banner and the first lines are.
    lit = sum(1 for i in range(0, min(64, h) * w * 3, 3) if rgb[i] + rgb[i + 1] + rgb[i + 2] > 300)
    ok = lit > 500 and "@@ boot result=pass" in text
    mode = "UEFI" if "via UEFI" in text else "BIOS"
    print(f"iso-check: {a.firmware}: booted via {mode}, screen {w}x{h}, {lit} lit pixels in the top rows: "
          f"{'text shown' if ok else 'NO TEXT on screen'}")
    if (a.firmware == "uefi") != (mode == "UEFI"):
        print("iso-check: booted through the wrong firmware path")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
