#!/usr/bin/env python3
"""The lab autograder.

    autograder/grade.py LAB [--solved LIST] [--results results.json] [--root KIT]
                            [--student DIR] [--sandbox auto|bwrap|user|none] [--stop-early]

Grades lab LAB: the lab's student files (from --student, default the kit itself) are built in
the student's view of the kit (autograder/view.py: no solution sources, the earlier labs'
solutions as prebuilt objects), in a sandbox (autograder/sandbox.py: no network, read-only kit,
an unprivileged user, resource limits). Then:
  host tests    each Catch2 test case of the lab runs alone in the sandbox, with a time limit;
                it passes only if Catch2's own XML report, framed with this run's nonce, says so
                (an exit status proves nothing: student code could call _exit(0));
  kernel tests  the kernel runs in the emulator the lab's spec names, with `grade=<nonce>` and
                the lab's test list as a boot module; only results framed with the nonce, in
                the table's order, between the begin and end markers count (kernel/test/report.h).
The test list and the maximum score come from autograder/labs/labN.toml whatever happens.
Prints one row per test with its points, `grade: N passed, M failed`, and writes a Gradescope
results.json, also when a build fails, a run hangs or the grader itself fails. The same
submission gives the same results.json byte for byte, apart from `execution_time`.

--solved: the labs whose solutions the build uses (default: every earlier lab the course has
released, autograder/course.toml). If it includes LAB itself, LAB's own solution is graded as
if it were the student's files (the honesty check does that); `N.K` uses the solutions of LAB's
steps 1 to K only, the other steps' files being the skeleton.
--stop-early: skip the in-kernel tests when a host test failed (autograder/mutate.py).
"""
import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib
import traceback
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import kit  # noqa: E402  (tools/kit.py: the solved-lab list and the overlay rule)
import lint as lint_mod  # noqa: E402
import sandbox as sb  # noqa: E402
from view import BuildError, View, check_dependencies  # noqa: E402

DEFAULT_ROOT = os.path.dirname(HERE)
KIT = "/kit"                 # where the view appears in the sandbox
OUTPUT_CAP = 2000             # characters of output kept per test
CONSOLE_CAP = 64 << 20        # bytes of console read at most
HOST_TEST_TIMEOUT = 20        # seconds per host test case
HOST_TOTAL_TIMEOUT = 300      # seconds for all of a lab's host test cases


class Test:
    def __init__(self, name, points, kind, step=None):
        self.name, self.points, self.kind, self.step = name, points, kind, step
        self.passed = False
        self.output = ""


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_spec(root, lab):
    path = os.path.join(root, "autograder", "labs", f"lab{lab}.toml")
    if not os.path.exists(path):
        sys.exit(f"grade: no lab {lab} (no {os.path.relpath(path, root)})")
    return load_toml(path)


def released_labs(root):
    """autograder/course.toml: `released = [0, 1, ...]` or "all" (the default)."""
    path = os.path.join(root, "autograder", "course.toml")
    rel = load_toml(path).get("released", "all") if os.path.exists(path) else "all"
    return kit.available_labs(root) if rel == "all" else sorted(int(x) for x in rel)


def solved_labs(root, lab, solved):
    if solved is None:
        return [n for n in released_labs(root) if n < lab]
    return kit.solved_labs(solved, root)


# ---- what a student sees: bounded, printable, the same every time ----

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b.")
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SANITIZER = re.compile(r"^==\d+==|^\s*#\d+ 0x|Sanitizer|runtime error|SUMMARY:|\b(?:address|pc|bp|sp) 0x|"
                        r"is located|allocated by|freed by|previously allocated|shadow")


def clean(text, cap=OUTPUT_CAP, paths=()):
    """Printable text: control bytes and escape sequences removed, the grader's temporary paths
    and run-specific numbers (addresses, process ids) replaced, at most `cap` characters."""
    text = _CTRL.sub("", _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    for p, name in paths:
        text = text.replace(p, name)
    # Sanitizer reports carry addresses and process ids that change from run to run.
    text = "\n".join(re.sub(r"0x[0-9a-fA-F]{6,}", "0x...", l) if _SANITIZER.search(l) else l
                     for l in text.split("\n"))
    text = re.sub(r"==\d+==", "==PID==", text)
    text = re.sub(r"\b(pid|thread T\d+|tid)[ =]\d+", r"\1 N", text)
    if len(text) > cap:
        cut = len(text) - cap
        text = text[:cap] + f"\n... ({cut} more characters cut)"
    return text


def compiler_errors(text, limit=30):
    """The lines of a build log that say what went wrong."""
    lines = text.splitlines()
    keep = [l for l in lines if re.search(r"error|undefined reference|Error \d|fatal|Killed|limit", l)]
    return "\n".join((keep or lines[-limit:])[:limit])


class Grader:
    def __init__(self, a, root, spec, solved, log):
        self.a, self.root, self.spec, self.solved, self.log = a, root, spec, solved, log
        self.lab = a.lab
        self.box = sb.Sandbox(a.sandbox)
        self.notes = []
        self.work = tempfile.mkdtemp(prefix=f"vlibos-grade-lab{self.lab}-")
        os.chmod(self.work, 0o755)
        # The solved list's item for this lab (N, or "N.K" for its steps 1 to K), if any: those
        # solutions are graded as the student's files.
        self.prebuilt = [n for n in solved if kit.split_item(n)[0] != self.lab]
        self.own_solution = next((n for n in solved if kit.split_item(n)[0] == self.lab), None)
        self.ccache = self._ccache_dir()
        self._output_writable = None  # who owns the output folder now (own_output)
        # Every trusted build (the prebuilt objects, the warm-up) fills the cache the
        # student's build reads; sandboxed commands get their own environment.
        if self.ccache:
            os.environ["CCACHE_DIR"] = self.ccache

    # ---- the student's files ----
    def student_files(self):
        """The lab's student files, and those of every earlier lab whose solution is not used
        (course.toml's `released`, or --solved): a course may build each lab on the student's
        own earlier labs."""
        files = list(self.spec.get("student_files", []))
        solved_whole = {kit.split_item(n)[0] for n in self.solved if kit.split_item(n)[1] is None}
        for n in range(self.lab):
            if n not in solved_whole and os.path.exists(os.path.join(self.root, "autograder", "labs", f"lab{n}.toml")):
                files += load_spec(self.root, n).get("student_files", [])
        return files

    def read_student_files(self):
        """{path: text} of the lab's student files, refusing symlinks and oversized files."""
        out = {}
        base = os.path.abspath(self.a.student or self.root)
        self.student_paths = {}
        for rel in self.student_files():
            # With the lab's own solution (or its first steps'), a file no solved step has is
            # the skeleton.
            p = (kit.overlay(rel, [self.own_solution], self.root) if self.own_solution is not None
                 else os.path.join(base, rel))
            if os.path.islink(p):
                self.notes.append(f"{rel} is a symbolic link: not graded (the skeleton is used); submit the file itself")
                continue
            if not os.path.isfile(p):
                self.notes.append(f"{rel} is missing: the skeleton is used")
                continue
            if os.path.getsize(p) > 1 << 20:
                self.notes.append(f"{rel} is over 1 MiB: not graded (the skeleton is used)")
                continue
            out[rel] = open(p, errors="replace").read()
            self.student_paths[rel] = p
        return base, out

    def _ccache_dir(self):
        """A compiler cache the sandboxed build can read: the grader fills it, the student's
        build only reads it (CCACHE_READONLY)."""
        if not shutil.which("ccache"):
            return None
        if os.environ.get("VLIBOS_GRADER_CCACHE"):  # a benchmark's cold cache
            d = os.environ["VLIBOS_GRADER_CCACHE"]
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
            return d
        if os.geteuid() == 0:
            d = "/var/cache/vlibos-grader/ccache"
            os.makedirs(d, exist_ok=True)
            os.chmod(os.path.dirname(d), 0o755)
            os.chmod(d, 0o755)
            return d
        return os.environ.get("CCACHE_DIR") or os.path.expanduser("~/.cache/ccache")

    # ---- running things in the sandbox ----
    def sandbox_run(self, cmd, limits, timeout, build=True, output_cap=256 * 1024, env=None, cwd=None):
        v = self.view
        bwrap = self.box.mode == "bwrap"
        kit = KIT if bwrap else v.root
        ro = [(v.root, kit)]
        rw = [(v.out, kit + "/build")] if build else []
        if not build:
            ro.append((v.out, kit + "/build"))
        e = {"SDL_VIDEODRIVER": "dummy", **(env or {})}
        if self.ccache:
            ro.append((self.ccache, "/ccache" if bwrap else self.ccache))
            e.update(CCACHE_DIR="/ccache" if bwrap else self.ccache, CCACHE_READONLY="1", CCACHE_TEMPDIR="/tmp")
        if not bwrap:
            ro, rw = [], []  # the host's own paths: nothing to bind
        self.own_output(build)
        return self.box.run(cmd, limits, timeout, ro=ro, rw=rw, cwd=cwd or kit, env=e, output_cap=output_cap)

    def own_output(self, writable):
        """Without bwrap the output folder cannot be mounted read-only: give it to the sandbox's
        user while building, and take it back (root's, not writable by others) while the tests
        run, so a test cannot change what the next one runs."""
        if os.geteuid() != 0 or self._output_writable == writable:
            return
        if self.box.mode == "bwrap" and not writable:
            return  # bwrap mounts it read-only instead
        self._output_writable = writable
        uid, gid = (self.box.uid, self.box.gid) if writable else (0, 0)
        for d, dirs, fs in os.walk(self.view.out):
            for x in [d] + [os.path.join(d, y) for y in dirs + fs]:
                os.lchown(x, uid, gid)

    def report_dir(self):
        """Without bwrap's private /tmp: a folder of the sandbox user's for the test reports."""
        d = os.path.join(self.work, "reports")
        if not os.path.isdir(d):
            os.makedirs(d, mode=0o700)
            if os.geteuid() == 0:
                os.chown(d, self.box.uid, self.box.gid)
        return d

    def kit_path(self):
        return KIT if self.box.mode == "bwrap" else self.view.root

    def trusted_run(self, cmd, cwd, timeout=1800):
        """A build of kit code only (no student file), outside the sandbox: fills the cache
        (the environment names it: see __init__)."""
        r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=timeout)
        return r.returncode, r.stdout

    def paths(self):
        return [(self.work, "<grading>"), (self.view.root, "<kit>"), (KIT + "/", ""), (self.root + "/", "")]

    # ---- the phases ----
    def prepare(self):
        base, files = self.read_student_files()
        outside, suspicious = lint_mod.lint(files)
        for f in outside:
            self.notes.append(f"refused: {f}")
        self.refused = outside
        for f in suspicious:
            self.notes.append(f"flagged for the instructor: {f}")
        self.log(f"sandbox: {self.box.describe()}")
        # The view first holds the kit's skeleton files: a trusted build of it fills the
        # compiler cache the student's build reads. Then the student's files go in.
        self.view = View.create(self.root, self.work, self.prebuilt, self.log)
        self.warm_cache()
        for rel, text in files.items():
            shutil.copyfile(self.student_paths[rel], os.path.join(self.view.root, rel))
        for d, dirs, fs in os.walk(self.work):
            for x in dirs + fs:
                p = os.path.join(d, x)
                if not os.path.islink(p):
                    os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
        self.own_output(True)

    def warm_stamp(self, goals):
        """A file whose presence says this cache already holds what warm_cache() would put in
        it: named by a digest of everything the warm-up compiles (the view's files and the
        prebuilt objects), what it builds and the compiler. None without a cache of our own."""
        if not self.ccache:
            return None
        h = hashlib.sha256()
        for top in [self.view.root, os.path.join(self.view.out, "prebuilt")]:
            for d, dirs, fs in os.walk(top):
                dirs[:] = sorted(x for x in dirs if x not in ("build", "__pycache__"))
                for f in sorted(fs):
                    p = os.path.join(d, f)
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    h.update(os.path.relpath(p, top).encode() + b"\0")
                    with open(p, "rb") as fh:
                        h.update(hashlib.sha256(fh.read()).digest())
        h.update(repr((self.lab, goals)).encode())
        h.update(subprocess.run(["g++", "--version"], stdout=subprocess.PIPE).stdout)
        return os.path.join(self.ccache, "vlibos-warm", h.hexdigest())

    def warm_cache(self):
        v = self.view
        target = self.spec.get("target")
        goals = ["kernel"] + (["apps"] if target and target.get("apps") else [])
        stamp = self.warm_stamp(goals)
        build = os.path.join(v.root, "build")
        if stamp and os.path.exists(stamp):
            # Same kit, same prebuilt objects: a grade before this one warmed the cache.
            self.log("the compiler cache is warm for this kit already")
            if self.box.mode != "bwrap":  # the build writes to the output folder
                shutil.rmtree(build, ignore_errors=True)
                os.symlink(v.out, build)
            return
        self.log("warming the compiler cache with the kit's own files ...")
        # The build writes where the sandbox will mount the output folder, and finds the
        # prebuilt objects there.
        shutil.rmtree(build, ignore_errors=True)
        os.symlink(v.out, build)
        rc_make, _ = self.trusted_run(["make", "-s", *goals, "SOLVED=none", "PREBUILT=build/prebuilt"], v.root)
        # ccache hashes paths relative to the compiler's working directory: the host tests'
        # tree must sit where the sandbox's does relative to the kit. In bwrap that is two real
        # folders below it (/kit/build/host); a tree through the build -> output link would be
        # elsewhere. Without bwrap the sandbox builds through that link itself.
        host = os.path.join(v.root, "warm" if self.box.mode == "bwrap" else "build", "host")
        self.trusted_run(["cmake", "-S", v.root, "-B", host, "-DSOLVED=none",
                          "-DPREBUILT=" + os.path.join(v.root, "build", "prebuilt"), "-DCMAKE_BUILD_TYPE=Debug"], v.root)
        rc_host, _ = self.trusted_run(["cmake", "--build", host, "--target", f"tests_lab{self.lab}",
                                       "-j", str(os.cpu_count() or 2)], v.root)
        shutil.rmtree(os.path.join(v.root, "warm"), ignore_errors=True)
        if stamp and rc_make == 0 and rc_host == 0:
            os.makedirs(os.path.dirname(stamp), exist_ok=True)
            open(stamp, "w").close()
        # Nothing of the trusted build may stay where the student's build writes.
        for x in os.listdir(v.out):
            if x != "prebuilt":
                shutil.rmtree(os.path.join(v.out, x), ignore_errors=True)
        if self.box.mode == "bwrap":
            os.unlink(build)
            os.makedirs(build)  # where bwrap mounts the output folder

    def dependency_problems(self, dep_files, cwd):
        """Files outside the view and the system's headers in the compiler's dependency lists;
        relative paths are relative to `cwd`, where the compiler ran (ccache writes them so)."""
        k = self.kit_path()
        roots = [k, "/usr"]
        if self.box.mode != "bwrap":  # host paths, through the view/build -> out link
            cwd = os.path.realpath(cwd)
            roots = [os.path.realpath(k), os.path.realpath(self.view.out), "/usr"]
        bad = check_dependencies(dep_files, roots, cwd)
        return [b for b in bad if "/build/prebuilt/" not in b]

    def host_tests(self):
        tests = [t for t in spec_tests(self.spec) if t.kind == "host"]
        if not tests:
            return []
        k = self.kit_path()
        self.log("building the host tests (in the sandbox) ...")
        r = self.sandbox_run(["cmake", "-S", k, "-B", f"{k}/build/host", "-DSOLVED=none",
                              f"-DPREBUILT={k}/build/prebuilt", "-DCMAKE_BUILD_TYPE=Debug"], sb.BUILD_LIMITS, 300)
        configured = r.seconds
        if r.rc == 0 and not r.timed_out:
            r = self.sandbox_run(["cmake", "--build", f"{k}/build/host", "--target", f"tests_lab{self.lab}",
                                  "-j", str(os.cpu_count() or 2)], sb.BUILD_LIMITS, 600)
            self.log(f"host tests configured in {configured:.1f} s, built in {r.seconds:.1f} s")
        if r.rc != 0 or r.timed_out:
            why = f"timed out after {r.seconds:.0f} s" if r.timed_out else "did not compile"
            msg = f"the host tests {why}:\n" + clean(compiler_errors(r.output), paths=self.paths())
            for t in tests:
                t.output = msg
            return tests
        deps = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(self.view.out, "host"))
                for f in fs if f.endswith(".o.d")]
        bad = self.dependency_problems(deps, f"{k}/build/host")
        if bad:
            msg = "the build read files outside the kit: " + ", ".join(bad[:5])
            for t in tests:
                t.output = msg
            return tests
        self.log(f"running {len(tests)} host test(s), {HOST_TEST_TIMEOUT} s each at most ...")
        spent = 0.0
        for t in tests:
            exe, _, case = t.name.partition(": ")
            if spent > HOST_TOTAL_TIMEOUT:
                t.output = f"not run: the host tests' total time limit ({HOST_TOTAL_TIMEOUT} s) was used up"
                continue
            t.passed, t.output, secs = self.run_host_case(exe, case)
            spent += secs
        return tests

    def run_host_case(self, exe, case):
        nonce = secrets.token_hex(8)
        k = self.kit_path()
        path = f"{k}/build/host/{exe}"
        spec = re.sub(r'([\\,\[\]"*~])', r"\\\1", case)
        report = f"/tmp/catch-{nonce}.xml" if self.box.mode == "bwrap" else os.path.join(self.report_dir(), f"catch-{nonce}.xml")
        # The report goes to a file the test process writes, then is printed after a marker
        # line, so the test's own output cannot interleave with it.
        script = (f'"$0" "$1" -r xml -n "$2" -o "$3" >/dev/null 2>"$3.err"; rc=$?; '
                  f'head -c 200000 "$3.err"; echo; echo "@@report {nonce}"; head -c 2000000 "$3"; exit $rc')
        env = {"ASAN_OPTIONS": "hard_rss_limit_mb=1024:malloc_limit_mb=1024:detect_leaks=0:abort_on_error=0",
               "UBSAN_OPTIONS": "print_stacktrace=0"}
        r = self.sandbox_run(["sh", "-c", script, path, spec, nonce, report], sb.TEST_LIMITS, HOST_TEST_TIMEOUT,
                             build=False, env=env, output_cap=3 << 20)
        if self.box.mode != "bwrap":
            for f in (report, report + ".err"):
                if os.path.exists(f):
                    os.unlink(f)
        before, marker, xml = r.output.partition(f"@@report {nonce}\n")
        ok, detail = parse_catch_xml(xml, nonce, case) if marker else (False, "")
        if r.timed_out:
            return False, f"timed out after {HOST_TEST_TIMEOUT} s (an endless loop?)\n" + clean(before, 600, self.paths()), r.seconds
        if ok:
            return True, "", r.seconds
        why = detail or "the test process ended before Catch2 reported a result (it exited or crashed inside the test)"
        return False, clean(why + ("\n" + before.strip() if before.strip() else ""), paths=self.paths()), r.seconds

    def kernel_tests(self):
        target = self.spec.get("target")
        if not target:
            return []
        tests = [t for t in spec_tests(self.spec) if t.kind == "kernel"]

        def fail_all(msg):
            for t in tests:
                t.output = msg
            return tests

        apps = target.get("apps", [])
        goals = ["kernel"] + (["apps"] if apps else [])
        self.log("building the kernel (in the sandbox) ...")
        r = self.sandbox_run(["make", "-s", *goals, "SOLVED=none", "PREBUILT=build/prebuilt", "Q=@"],
                             sb.BUILD_LIMITS, 900)
        self.log(f"kernel built in {r.seconds:.1f} s")
        if r.rc != 0 or r.timed_out:
            why = f"timed out after {r.seconds:.0f} s" if r.timed_out else "did not compile"
            return fail_all(f"the kernel {why}:\n" + clean(compiler_errors(r.output), paths=self.paths()))
        objdir = os.path.join(self.view.out, os.path.basename(kit.build_dir("none", "")), "obj")
        bad = self.dependency_problems([os.path.join(objdir, f + ".d") for f in self.student_files()],
                                       self.kit_path())
        if bad:
            return fail_all("the build read files outside the kit: " + ", ".join(bad[:5]))
        run_args = list(target.get("run_args", []))
        if target.get("slave"):
            self.log("building the Linux slave (minutes the first time on this machine, then cached) ...")
            # One build of the slave's kernel at a time (the honesty check grades two labs at once).
            os.makedirs(os.path.join(self.root, "build"), exist_ok=True)
            with open(os.path.join(self.root, "build", ".slave-kernel.lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                rc, out = self.trusted_run([sys.executable, os.path.join(self.root, "tools", "slave_build.py"),
                                            "kernel"], self.root, timeout=3600)
            if rc != 0:
                return fail_all("the Linux slave's kernel did not build (a problem of the grading machine):\n"
                                + "\n".join(out.strip().splitlines()[-10:]))
            slave_out = os.path.join(self.view.out, "slave")
            os.makedirs(slave_out, exist_ok=True)
            shutil.copyfile(os.path.join(self.root, "build", "slave", "bzImage"), os.path.join(slave_out, "bzImage"))
            self._output_writable = None  # the new folder is root's: hand the output over again
            r = self.sandbox_run(["python3", "tools/slave_build.py", "initramfs", "--solved=none",
                                  "--prebuilt=build/prebuilt"], sb.BUILD_LIMITS, 600)
            if r.rc != 0 or r.timed_out:
                return fail_all("the Linux slave's programs did not build:\n" + clean(compiler_errors(r.output),
                                                                                     paths=self.paths()))
            run_args.append("--slave")
        emu = target.get("emulator", "qemu")
        timeout = int(target.get("timeout", 60))
        nonce = secrets.token_hex(8)
        with open(os.path.join(self.view.out, "grade-tests"), "w") as f:
            f.write("".join(t.name + "\n" for t in tests))
        cmdline = f"exit=emu test=lab{self.lab} grade={nonce} {target.get('cmdline', '')}".strip()
        self.log(f"running the in-kernel tests in {emu} (timeout {timeout} s) ...")
        console = "build/console.log"
        r = self.sandbox_run(["python3", "tools/run.py", emu, "--kernel", kit.kernel_path("none", ""),
                              "--cmdline", cmdline, "--timeout", str(timeout), "--quiet", "--log", console,
                              "--module", "build/grade-tests=grade-tests"]
                             + [x for a in apps for x in ("--app", a)] + run_args,
                             sb.EMULATOR_LIMITS, timeout + 180, output_cap=64 * 1024)
        text = ""
        log_path = os.path.join(self.view.out, "console.log")
        if os.path.exists(log_path) and not os.path.islink(log_path):
            with open(log_path, "rb") as f:
                text = f.read(CONSOLE_CAP).decode(errors="replace")
        self.keep_console(text, emu)
        verdict = run_verdict(r)
        results, ended, panic, ignored = parse_framed(text, nonce, [t.name for t in tests])
        if ignored:
            self.notes.append(f"ignored {ignored} framed result line(s) out of order or of unknown tests")
        if ended:
            how = None
        elif panic is not None:
            how = f"the kernel panicked: {panic}"
        else:
            how = f"the run did not finish: {verdict}"
        # The console's last lines, as a student's own run would show them: without the framed
        # copies of result lines, and without the nonce (different in every grading).
        shown = [l.replace(nonce, "<nonce>") for l in text.strip().splitlines() if not l.startswith(f"@@ {nonce} ")]
        tail = clean("\n".join(l[:200] for l in shown[-12:]), 1500, self.paths())
        for t in tests:
            if t.name in results:
                t.passed, reason = results[t.name]
                t.output = clean(reason, 500) if not t.passed else ""
                if not t.passed and how:
                    t.output += f"\n({how})"
            else:
                t.output = f"not reported: {how}\nlast console lines:\n{tail}"
        if how:
            self.notes.append(how)
        return tests

    def keep_console(self, text, emu):
        """The console of the graded run, for the student: build/grade-labN-<emulator>.log."""
        try:
            d = os.path.join(self.root, "build")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"grade-lab{self.lab}-{emu}.log"), "w") as f:
                f.write(text[:4 << 20])
        except OSError:
            pass

    def cleanup(self):
        if not self.a.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def run_verdict(r):
    """What happened to the emulator, from tools/run.py's last line."""
    if r.timed_out:
        return f"the emulator was stopped after {r.seconds:.0f} s"
    lines = [l for l in r.output.strip().splitlines() if l.startswith("run: ")]
    if not lines:
        return "the runner gave no verdict: " + clean(r.output[-300:], 300)
    v = lines[-1].removeprefix("run: ")
    v = re.sub(r" \(\d+(\.\d+)? s\)$", "", v)
    return clean(v, 300)


def parse_framed(text, nonce, names):
    """Results framed with `nonce`, in the order of `names`, between the begin and end markers.
    Returns ({name: (passed, reason)}, ended, panic message or None, lines ignored)."""
    results, ended, panic, ignored = {}, False, None, 0
    begun = False
    nxt = 0
    prefix = f"@@ {nonce} "
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        body = line[len(prefix):]
        if not begun:
            begun = body == f"begin tests={len(names)}"
            continue
        if ended:
            continue
        m = re.fullmatch(r'test=(\w+) result=(pass|fail)(?: reason="([^"]*)")?', body)
        if m:
            if nxt < len(names) and m.group(1) == names[nxt]:
                results[m.group(1)] = (m.group(2) == "pass", m.group(3) or "")
                nxt += 1
            else:
                ignored += 1
        elif body == "end":
            ended = nxt == len(names)
            if not ended:
                ignored += 1
        elif (pm := re.fullmatch(r'panic reason="([^"]*)"', body)):
            panic = pm.group(1)
            break
        else:
            ignored += 1
    return results, ended, panic, ignored


def parse_catch_xml(xml, nonce, case):
    """(passed, detail) from Catch2's XML report of one test case."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return False, ""
    if root.tag != "Catch" or root.get("name") != nonce:
        return False, "the test report is not this run's (forged?)"
    cases = root.findall("./Group/TestCase")
    totals = root.find("./Group/OverallResultsCases")
    if len(cases) != 1 or cases[0].get("name") != case or totals is None:
        return False, "the test report does not hold exactly this test case"
    res = cases[0].find("OverallResult")
    if res is not None and res.get("success") == "true" and totals.get("failures") == "0":
        return True, ""
    lines = []
    for ex in cases[0].iter("Expression"):
        if ex.get("success") == "false":
            orig = (ex.findtext("Original") or "").strip()
            expd = (ex.findtext("Expanded") or "").strip()
            lines.append(f"line {ex.get('line')}: {ex.get('type', 'CHECK')}( {orig} ) with expansion: {expd}")
    for tag in ("Exception", "FatalErrorCondition", "Failure"):
        for el in cases[0].iter(tag):
            lines.append(f"line {el.get('line')}: {tag}: {(el.text or '').strip()}")
    return False, "\n".join(lines[:12]) or "failed"


def step_summary(spec, tests):
    """A line per step of a lab cut in steps: `step 2 (the VMCS): 12 of 20 points, 3 of 5 tests`."""
    lines = []
    for st in spec.get("steps", []):
        mine = [t for t in tests if t.step == st["number"]]
        lines.append(f"step {st['number']} ({st.get('title', '')}): {sum(t.points for t in mine if t.passed)} of "
                     f"{sum(t.points for t in mine)} points, {sum(t.passed for t in mine)} of {len(mine)} tests")
    return lines


def write_results(path, tests, notes, seconds, extra_output="", spec=None):
    score = sum(t.points for t in tests if t.passed)
    graded = [t for t in tests if t.kind != "written"]
    written = [t for t in tests if t.kind == "written"]
    passed = sum(t.passed for t in graded)
    out = "\n".join(step_summary(spec or {}, graded) + [f"lab results: {passed} passed, {len(graded) - passed} failed"]
                    + ([f"written answers: {sum(t.passed for t in written)} of {len(written)} answered, "
                        "for a TA to grade"] if written else []))
    if notes:
        out += "\n" + "\n".join(clean(n, 400) for n in notes)
    if extra_output:
        out += "\n" + extra_output
    results = {
        "score": score,
        "max_score": sum(t.points for t in tests),
        "output": out,
        "execution_time": int(seconds),
        "tests": [{"name": (f"step {t.step}: " if t.step else "") + f"{t.kind}: {t.name}",
                   "score": t.points if t.passed else 0, "max_score": t.points,
                   "status": "passed" if t.passed else "failed", "output": t.output} for t in tests],
    }
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


def spec_tests(spec):
    """The fixed test list of a lab: every host and kernel test, failed until shown otherwise. A
    host test is its name (worth [host] points) or a table {name, points, step}; a kernel test a
    table {name, points, step}; `step` is the step of a lab cut in steps ([[steps]])."""
    hp = spec.get("host", {}).get("points", 1)
    tests = []
    for e in spec.get("host", {}).get("tests", []):
        e = {"name": e} if isinstance(e, str) else e
        tests.append(Test(e["name"], e.get("points", hp), "host", e.get("step")))
    for e in spec.get("target", {}).get("tests", []):
        tests.append(Test(e["name"], e.get("points", 1), "kernel", e.get("step")))
    return tests


ANSWER_CAP = 64 * 1024  # bytes of a student's answers.md read
ANSWER_SHOWN = 3000     # characters of one answer in the results


def answers_template(root, lab):
    """The kit's labs/labN-*/answers.md (the questions), relative to `root`, or None."""
    found = sorted(glob.glob(os.path.join(root, "labs", f"lab{lab}-*", "answers.md")))
    return os.path.relpath(found[0], root) if found else None


def written_questions(root, lab):
    """The numbered questions ("## N. Title") of lab `lab`'s answers.md in the kit."""
    rel = answers_template(root, lab)
    if not rel:
        return []
    with open(os.path.join(root, rel), errors="replace") as f:
        return re.findall(r"^## (\d+\. .+?)\s*$", f.read(), re.M)


def written_rows(root, lab, student_dir):
    """One row per written question, for a TA to grade: 0 points (a platform's own manual
    questions carry the marks), the student's answer as its output, passed when there is one."""
    questions = written_questions(root, lab)
    rel = answers_template(root, lab)
    text, why = "", ""
    path = os.path.join(student_dir, rel) if rel else ""
    if not questions:
        return []
    if os.path.islink(path) or (os.path.exists(path) and not os.path.isfile(path)):
        why = "answers.md is not a regular file: not read"
    elif not os.path.exists(path):
        why = "no answers.md handed in"
    else:
        with open(path, "rb") as f:
            text = f.read(ANSWER_CAP).decode(errors="replace")
    # The student's sections by their headings; an answer is what follows "*Answer:*".
    sections = {}
    for m in re.finditer(r"^## (\d+)\. .*?$(.*?)(?=^## \d+\. |\Z)", text, re.M | re.S):
        body = m.group(2)
        answer = body.split("*Answer:*", 1)[1] if "*Answer:*" in body else ""
        sections[m.group(1)] = answer.strip()
    rows = []
    for q in questions:
        t = Test(q, 0, "written")
        answer = sections.get(q.split(".", 1)[0], "")
        t.passed = bool(answer)
        t.output = (clean(answer, ANSWER_SHOWN) if answer else (why or "not answered")) + \
            "\n(graded by a TA, not by the autograder)"
        rows.append(t)
    return rows


def hours_note(root, lab, student_dir, spec):
    """What the student's labs/labN-*/time.txt says, next to the handout's estimate."""
    found = sorted(glob.glob(os.path.join(root, "labs", f"lab{lab}-*", "time.txt")))
    if not found:
        return None
    path = os.path.join(student_dir, os.path.relpath(found[0], root))
    if not os.path.isfile(path) or os.path.islink(path):
        return "hours: no time.txt handed in"
    with open(path, "rb") as f:
        text = f.read(ANSWER_CAP).decode(errors="replace")
    parts, total = [], 0.0
    for m in re.finditer(r"^(step \d+|total)\b[^:\n]*:[ \t]*(\d+(?:\.\d+)?)", text, re.M):
        parts.append(f"{m.group(1)} {m.group(2)}")
        total += float(m.group(2))
    estimate = sum(st.get("hours", 0) for st in spec.get("steps", [])) or spec.get("hours")
    if not parts:
        return "hours: time.txt not filled in"
    return f"hours (time.txt): {', '.join(parts)}; total {total:g} (the handout estimates {estimate})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lab", type=int)
    ap.add_argument("--solved", help="labs whose solutions to use: all, none or a list (default: earlier labs)")
    ap.add_argument("--results", default="results.json")
    ap.add_argument("--root", default=DEFAULT_ROOT, help="the kit to grade with (solutions, tests, tools)")
    ap.add_argument("--student", help="where the lab's student files are (default: --root)")
    ap.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "user", "none"])
    ap.add_argument("--keep", action="store_true", help="keep the grading folder (debugging the grader)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--stop-early", action="store_true",
                    help="skip the in-kernel tests once a host test failed (the mutation tool: one failure is enough)")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    spec = load_spec(root, a.lab)
    start = time.monotonic()

    def log(msg):
        if not a.quiet:
            print(f"grade: {msg}", flush=True)

    tests = spec_tests(spec)
    g = None
    try:
        solved = solved_labs(root, a.lab, a.solved)
        log(f"lab {a.lab} ({spec.get('title', '')}); solutions used for labs: {', '.join(map(str, solved)) or 'none'}")
        g = Grader(a, root, spec, solved, log)
        g.prepare()
        if g.refused:
            # Not built at all: the view would stop these files anyway, but a clear refusal
            # beats a compiler reading /dev/zero until its limits stop it.
            msg = "not built: a student file does what no lab file may:\n" + "\n".join(g.refused[:5])
            for t in tests:
                t.output = clean(msg, paths=g.paths() if hasattr(g, "view") else ())
        else:
            tests = g.host_tests()
            if a.stop_early and not all(t.passed for t in tests):
                rest = [t for t in spec_tests(spec) if t.kind == "kernel"]
                for t in rest:
                    t.output = "not run: a host test failed already (--stop-early)"
                tests += rest
            else:
                tests += g.kernel_tests()
        notes = [f"protection: {g.box.describe()}"] + g.notes
        student_dir = os.path.abspath(a.student) if a.student else root
        written = written_rows(root, a.lab, student_dir)
        if note := hours_note(root, a.lab, student_dir, spec):
            notes.append(note)
    except Exception as e:  # the grader itself failed: still write results
        detail = str(e) if isinstance(e, BuildError) else traceback.format_exc(limit=3)
        print(f"grade: the grader failed: {detail}", file=sys.stderr)
        for t in tests:
            t.passed, t.output = False, "not graded: the grader failed (see the output above); tell your instructor"
        notes = [f"the grader failed: {clean(detail, 800)}"] + (g.notes if g else [])
        written = []
    finally:
        if g:
            g.cleanup()

    width = max((len(t.name) for t in tests), default=10)
    print()
    for t in tests:
        mark = "PASS" if t.passed else "FAIL"
        pts = f"{t.points if t.passed else 0}/{t.points}"
        print(f"  {mark}  {t.kind:6}  {t.name:<{width}}  {pts:>5}")
        if not t.passed and t.output:
            for line in t.output.strip().splitlines()[:12]:
                print(f"          {line}")
    if written:
        answered = sum(t.passed for t in written)
        print(f"\n  written answers, for a TA to grade (0 points here): {answered} of {len(written)} answered")
        for t in written:
            print(f"    {'answered' if t.passed else 'no answer':9}  {t.name}")
    for n in notes:
        print(f"grade: {clean(n, 400)}")
    score = sum(t.points for t in tests if t.passed)
    max_score = sum(t.points for t in tests)
    passed = sum(t.passed for t in tests)
    failed = len(tests) - passed
    print(f"\nscore: {score}/{max_score} ({time.monotonic() - start:.0f} s)")
    print(f"grade: {passed} passed, {failed} failed")
    write_results(a.results, tests + written, notes, time.monotonic() - start, spec=spec)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
