"""Where a student's code runs during grading: a sandbox it cannot reach the grader from.

A graded build and every program built from a submission (host tests, the emulator running the
student's kernel) run through Sandbox.run():

  bwrap  bubblewrap (Debian's `bubblewrap`): new user, mount, PID, network, IPC and UTS
         namespaces; only /usr, the student's view of the kit (read-only), the output folder
         (writable only while building) and a small /tmp exist; no network; as an unprivileged
         user (the grader drops root first: a uid of this grade's own, so process limits and
         the clean-up concern this grade only); with CPU, memory, file-size and process limits.
  user   where user namespaces are not available (some graders' containers): the same limits,
         as that unprivileged uid, without the private file-system view. The grader's
         own files must then be unreadable to that user (handin.py grades in a 0700 folder).
  none   neither is possible (not root and no bwrap): limits only. Fine for a student grading
         their own work; a course's grader should not run like this.

Every run has a wall-clock timeout (the whole process group is killed) and keeps at most
`output_cap` bytes of output, so a looping or flooding program costs bounded time and memory.
"""
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time

# Sandboxed programs run as a uid picked at random from this range (when the grader is root).
UID_BASE, UID_SPAN = 2_000_000, 1_000_000
MiB = 1 << 20


class Limits:
    """Resource limits for one sandboxed command (None: not limited)."""

    def __init__(self, cpu_s=600, address_mib=4096, file_mib=512, procs=256, files=512, tmp_mib=64):
        self.cpu_s, self.address_mib, self.file_mib = cpu_s, address_mib, file_mib
        self.procs, self.files, self.tmp_mib = procs, files, tmp_mib

    def prlimit(self):
        args = ["prlimit", f"--cpu={self.cpu_s}", f"--fsize={self.file_mib * MiB}",
                f"--nproc={self.procs}", f"--nofile={self.files}", "--core=0"]
        if self.address_mib:
            args.append(f"--as={self.address_mib * MiB}")
        return args + ["--"]


# AddressSanitizer reserves terabytes of address space, so host tests cannot have an address
# space limit; ASan's own RSS and malloc limits bound their memory instead (see host_test_env).
BUILD_LIMITS = Limits(cpu_s=900, address_mib=4096, file_mib=512, procs=256)
# Host tests: 128 tasks (RLIMIT_NPROC counts threads, machine-wide for the grade's uid): a test
# with a thread per caller slot and AddressSanitizer's own threads failed to start its last
# worker under 32 while the previous case's tasks were still being reaped.
TEST_LIMITS = Limits(cpu_s=60, address_mib=None, file_mib=16, procs=128, tmp_mib=32)
EMULATOR_LIMITS = Limits(cpu_s=1200, address_mib=8192, file_mib=64, procs=64, tmp_mib=256)


class Result:
    def __init__(self, rc, output, timed_out, truncated, seconds):
        self.rc, self.output, self.timed_out = rc, output, timed_out
        self.truncated, self.seconds = truncated, seconds


def _grader_ids():
    """An unprivileged uid and gid of this grade's own, with no passwd entry: process limits
    (RLIMIT_NPROC counts a uid's processes machine-wide) and the clean-up after each run then
    concern this grade only, even when several grades run at once."""
    return UID_BASE + secrets.randbelow(UID_SPAN), UID_BASE + secrets.randbelow(UID_SPAN)


class Sandbox:
    def __init__(self, want="auto"):
        self.root = os.geteuid() == 0
        self.uid, self.gid = _grader_ids() if self.root else (os.getuid(), os.getgid())
        self.mode = self._choose(want)

    def _drop(self):
        if not self.root:
            return []
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]

    def _bwrap_works(self):
        if not shutil.which("bwrap"):
            return False
        probe = self._drop() + ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                                "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                                "--symlink", "usr/lib64", "/lib64", "--", "/bin/true"]
        try:
            return subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=20).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def _choose(self, want):
        if want in ("auto", "bwrap") and self._bwrap_works():
            return "bwrap"
        if want == "bwrap":
            raise SystemExit("grade: --sandbox=bwrap asked for, but bubblewrap cannot start here "
                             "(not installed, or no user namespaces)")
        if want in ("auto", "user") and self.root:
            return "user"
        if want == "user":
            raise SystemExit("grade: --sandbox=user needs root (to run as a separate user)")
        return "none"

    def describe(self):
        who = "an unprivileged uid of its own" if self.root else "this user"
        return {
            "bwrap": f"bubblewrap sandbox (no network, read-only kit, private /tmp) as {who}, with resource limits",
            "user": f"separate unprivileged user, {who}, with resource limits (no user namespaces here, "
                    f"so no private file-system view or network isolation)",
            "none": "resource limits only (not root and no bubblewrap): no sandbox",
        }[self.mode]

    def command(self, cmd, limits, ro=(), rw=(), cwd="/", env=None, fds=None):
        """The argv that runs `cmd` in the sandbox. ro/rw: (host path, sandbox path) pairs; in
        bwrap mode only those (and /usr) exist; in the other modes paths are the host's own, so
        both members of each pair must be the same."""
        env = dict(env or {})
        if self.mode != "bwrap":
            for src, dst in list(ro) + list(rw):
                assert src == dst, "without bwrap, sandbox paths are host paths"
            setenv = ["env", "-i"] + [f"{k}={v}" for k, v in sorted(env.items())]
            return self._drop() + limits.prlimit() + setenv + list(cmd)
        argv = self._drop() + limits.prlimit() + [
            "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.tmp_mib * MiB), "--tmpfs", "/tmp"]
        # Bind through file descriptors the grader opened: the unprivileged user need not be
        # able to reach the folders by path (the grader's own may sit in a 0700 home).
        for src, dst in ro:
            argv += ["--ro-bind-fd", str(fds[src]), dst]
        for src, dst in rw:
            argv += ["--bind-fd", str(fds[src]), dst]
        for k, v in sorted(env.items()):
            argv += ["--setenv", k, v]
        return argv + ["--chdir", cwd, "--"] + list(cmd)

    def run(self, cmd, limits, timeout, ro=(), rw=(), cwd="/", env=None, output_cap=256 * 1024, pass_fds=()):
        """Run `cmd` in the sandbox; keep the first `output_cap` bytes of stdout+stderr."""
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", **(env or {})}
        fds = {}
        if self.mode == "bwrap":
            for src, _ in list(ro) + list(rw):
                fds[src] = os.open(src, os.O_PATH | os.O_CLOEXEC)
        argv = self.command(cmd, limits, ro, rw, cwd, env, fds)
        host_cwd = cwd if self.mode != "bwrap" else "/"
        start = time.monotonic()
        try:
            p = subprocess.Popen(argv, cwd=host_cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 pass_fds=tuple(pass_fds) + tuple(fds.values()))
        finally:
            for fd in fds.values():
                os.close(fd)
        box = {}
        reader = threading.Thread(target=_drain, args=(p.stdout, output_cap, box), daemon=True)
        reader.start()
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        self._kill(p)
        reader.join(10)
        out = box.get("out", b"").decode(errors="replace")
        return Result(p.returncode, out, timed_out, box.get("total", 0) > output_cap, time.monotonic() - start)

    def _kill(self, p):
        """End the command and everything it started. In bwrap mode the PID namespace dies with
        bwrap; otherwise a program may have left the process group, so as root every process of
        the grader's own user goes too."""
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.mode != "bwrap" and self.root:
            subprocess.run(["pkill", "-KILL", "-U", str(self.uid)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        p.wait()


def _drain(stream, cap, box):
    kept = bytearray()
    total = 0
    while True:
        data = stream.read1(65536)
        if not data:
            break
        total += len(data)
        if len(kept) < cap:
            kept += data[:cap - len(kept)]
    box["out"], box["total"] = bytes(kept), total
