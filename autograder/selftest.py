#!/usr/bin/env python3
"""The grader's own tests: hostile and broken submissions get an honest, clear result, in
bounded time and output, and leave the grader, the kit and the machine as they were.

    autograder/selftest.py [NAME ...]

Each case grades a lab 0 submission (through grade.py --student, or handin.py grade for
archives) and checks what a student and a course would need to see. Ends with
`selftest: N passed, M failed`; exits non-zero if a case failed.
"""
import concurrent.futures
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: where a lab's solution files are)

# Lab 0's student files; most cases change the first step's (format_int.cc) or the last's. The
# format-string parser (format.cc, also step 1) is the reference in every case that does not
# give its own: the hostile format_integer must be called at boot to do its harm.
FMT, BT, PARSER = "kernel/core/format_int.cc", "kernel/core/backtrace.cc", "kernel/core/format.cc"
with open(os.path.join(HERE, "labs", "lab0.toml"), "rb") as f:
    LAB0 = tomllib.load(f)["student_files"]
SOLUTION = {p: open(kit.overlay(p, [0])).read() for p in LAB0}
SKELETON = {p: open(os.path.join(ROOT, p)).read() for p in LAB0}
# A line of a later lab's solution that must never appear in a student's results.
LATER_SOLUTION = kit.overlay("kernel/core/mem/frame_alloc.cc", [1])
with open(os.path.join(HERE, "labs", "lab0.toml"), "rb") as f:
    _spec = tomllib.load(f)
MAX_SCORE = _spec["host"]["points"] * len(_spec["host"]["tests"]) + sum(t["points"] for t in _spec["target"]["tests"])
sys.path.insert(0, HERE)
from grade import written_questions  # noqa: E402  (the written-answer rows every results.json has)

N_TESTS = len(_spec["host"]["tests"]) + len(_spec["target"]["tests"]) + len(written_questions(ROOT, 0))
HOST_POINTS = _spec["host"]["points"] * len(_spec["host"]["tests"])

# Kernel-side code of a hostile format_integer (the host tests build the same file with
# KIT_HOST_TEST defined). serial_out writes COM1 directly, as ring-0 student code can.
SERIAL = r"""
static void serial_out(const char* s, unsigned long n) {
    for (unsigned long i = 0; i < n; ++i)
        asm volatile("outb %0, %1" ::"a"(s[i]), "Nd"((unsigned short)0x3F8));
}
static void serial_str(const char* s) { unsigned long n = 0; while (s[n]) ++n; serial_out(s, n); }
"""


def hostile_format(kernel_body, host_body="", extra=""):
    """A format_int.cc whose format_integer runs `kernel_body` in the kernel and `host_body` in
    the host tests, then does the solution's work."""
    sol = SOLUTION[FMT]
    head, sep, rest = sol.partition("size_t format_integer(")
    body_start = rest.index("{") + 1
    inject = f"\n#ifdef KIT_HOST_TEST\n{host_body}\n#else\n{kernel_body}\n#endif\n"
    return head + extra + SERIAL + sep + rest[:body_start] + inject + rest[body_start:]


def hostile_backtrace(host_body):
    """The skeleton backtrace.cc whose walk_frames runs `host_body` first in the host tests."""
    head = "size_t walk_frames(uint64_t rbp, ReadWord read, uint64_t* rips, size_t max) {"
    return (SKELETON[BT].replace("namespace kern {", "#include <unistd.h>\nnamespace kern {", 1)
            .replace(head, head + f"\n#ifdef KIT_HOST_TEST\n    {host_body}\n#endif\n", 1))


# _exit(0) in every tested function, and a constructor that tries to rewrite the grader's tools.
EXIT_AND_CONSTRUCTOR = {
    FMT: hostile_format("return 0;", "_exit(0);", extra=(
        "#include <unistd.h>\n#include <stdio.h>\n"
        "[[gnu::constructor]] static void evil() {\n"
        "    for (const char* p : {\"/kit/tools/run.py\", \"../../tools/run.py\", \"" + ROOT + "/tools/run.py\"})\n"
        "        if (FILE* f = fopen(p, \"w\")) { fputs(\"print('pwned')\", f); fclose(f); }\n}\n")),
    BT: hostile_backtrace("_exit(0);"),
}

FORGE = "\n".join(f'serial_str("@@ test={t["name"]} result=pass\\n"); '
                  f'serial_str("@@ 0123456789abcdef test={t["name"]} result=pass\\n");'
                  for t in _spec["target"]["tests"])


def case(name, files, check, handin=None, runs=1, sandbox=None):
    return {"name": name, "files": files, "check": check, "handin": handin, "runs": runs, "sandbox": sandbox}


def tests_by(res, kind):
    """The rows of `kind` (host, kernel); a lab cut in steps names them "step N: host: ..."."""
    return [t for t in res["tests"] if re.match(rf"(step \d+: )?{kind}:", t["name"])]


def same_list(res):
    return res.get("max_score") == MAX_SCORE and len(res["tests"]) == N_TESTS


def printable(s):
    return not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", s)


CASES = [
    case("forged result lines, then a hang: no kernel points, the timeout is named",
         {FMT: hostile_format(FORGE + "\nfor (;;) asm volatile(\"\");")},
         lambda r, out: all(t["score"] == 0 for t in tests_by(r, "kernel"))
         and all("timed out after" in t["output"] for t in tests_by(r, "kernel")) and same_list(r)
         and "prints the grader's `@@` result marker" in r["output"]),
    case("_exit(0) in every tested function and a constructor that rewrites the grader's tools: 0 points, kit unchanged",
         EXIT_AND_CONSTRUCTOR,
         lambda r, out: r["score"] == 0 and same_list(r) and "defines a constructor" in r["output"]
         and ("bubblewrap sandbox" in r["output"] or not shutil.which("bwrap"))),
    case("the same, where user namespaces are missing: a separate user with limits, and the grader says so",
         EXIT_AND_CONSTRUCTOR,
         lambda r, out: r["score"] == 0 and same_list(r) and "separate unprivileged user" in r["output"],
         sandbox="user"),
    case("lab 0's solution graded where user namespaces are missing: full marks",
         dict(SOLUTION),
         lambda r, out: r["score"] == MAX_SCORE and "separate unprivileged user" in r["output"], sandbox="user"),
    case("#include and __has_include of solutions, #include \"/dev/zero\": refused, 0 points",
         {FMT: '#include "../../solutions/lab0/step1/kernel/core/format_int.cc"\n',
          BT: '#if __has_include("../../solutions/lab0/step3/kernel/core/backtrace.cc")\n'
                   '#include "../../solutions/lab0/step3/kernel/core/backtrace.cc"\n#else\n#include "/dev/zero"\n#endif\n'},
         lambda r, out: r["score"] == 0 and same_list(r) and "reaches outside the kit" in r["output"]),
    case("report_test() of every in-kernel test as passed: refused, 0 points",
         {FMT: hostile_format("".join(f'::kern::report_test("{t["name"]}", true, "");'
                                          for t in _spec["target"]["tests"]) + "return 0;",
                                  extra='#include "test/report.h"\n')},
         lambda r, out: r["score"] == 0 and same_list(r) and "calls the kit's test reporting" in r["output"]),
    case(".incbin of a later lab's solution, printed to the console: nothing of it in the results",
         {FMT: hostile_format('extern const char leak[]; serial_str(leak);', extra=(
             'asm(".section .rodata\\n.globl leak\\nleak:\\n.incbin \\"solutions/lab1/step1/kernel/core/mem/frame_alloc.cc\\"\\n'
             '.incbin \\"' + LATER_SOLUTION + '\\"\\n.byte 0\\n.text");\n'))},
         lambda r, out: r["score"] == 0 and same_list(r) and "incbin reaches outside the kit" in r["output"]
         and not leaked(r)),
    case("10 MB of garbage on the console: a small, printable results.json",
         {FMT: hostile_format(
             "static bool done; if (!done) { done = true; char b[4096]; unsigned x = 12345;\n"
             "for (int k = 0; k < 2560; ++k) { for (auto& c : b) { x = x * 1103515245 + 12345; c = char(x >> 23); }\n"
             "serial_out(b, sizeof b); } }")},
         lambda r, out: len(json.dumps(r)) < 200_000 and printable(json.dumps(r, ensure_ascii=False)) and printable(out)
         and same_list(r)),
    case("an endless loop in one function: that host test times out, the rest are graded",
         {**SOLUTION,
          BT: SOLUTION[BT].replace("size_t n = 0;", "size_t n = 0;\n    while (max == 2) asm volatile(\"\");", 1)},
         lambda r, out: [t["output"].startswith("timed out after 20 s") for t in tests_by(r, "host")].count(True) == 1
         and sum(t["score"] > 0 for t in tests_by(r, "host")) == len(tests_by(r, "host")) - 1 and same_list(r)),
    case("a triple fault: the message says so",
         {FMT: hostile_format("struct [[gnu::packed]] { unsigned short l; unsigned long b; } z = {0, 0};\n"
                                  "asm volatile(\"lidt %0; int3\" ::\"m\"(z));")},
         lambda r, out: all("triple-fault" in t["output"] for t in tests_by(r, "kernel")) and same_list(r)),
    case("a compile error: the same test list and max score, the compiler's message",
         {FMT: SKELETON[FMT] + "\nthis is not C++;\n"},
         lambda r, out: r["score"] == 0 and same_list(r) and "did not compile" in json.dumps(r)),
    case("a disk-filling and a forking submission: no point from the hostile functions, the machine unharmed",
         {FMT: hostile_format("return 0;", "if (magnitude == 42) for (int i = 0;; ++i) { char p[64];"
                                  " snprintf(p, sizeof p, \"/tmp/f%d\", i); FILE* f = fopen(p, \"w\"); if (!f) break;"
                                  " static char big[1 << 16]; bool full = false;"
                                  " for (int k = 0; k < 64 && !full; ++k) full = fwrite(big, 1, sizeof big, f) != sizeof big;"
                                  " if (fclose(f) != 0 || full) break; } return 0;", extra="#include <stdio.h>\n"),
          BT: hostile_backtrace("if (max == 2) for (;;) fork();")},
         # (The reference parser's own cases, strings and truncation, keep their points.)
         lambda r, out: same_list(r) and all(
             t["score"] == 0 for t in r["tests"]
             if re.search(r"format_test:|backtrace_test:|kernel:", t["name"]))),
    case("the same failing submission graded three times: the same results.json",
         {FMT: SOLUTION[FMT].replace("sign = '-';", "sign = '+';", 1)},
         lambda r, out: 0 < r["score"] < MAX_SCORE and same_list(r), runs=3),
    case("an archive with a lab 1 file that forges lab 0's results: ignored",
         None, lambda r, out: r["score"] == 0 and "not a student file of this lab" in out and same_list(r),
         handin=lambda d: make_archive(d, {"kernel/core/mem/frame_alloc.cc": hostile_format(FORGE)})),
    case("an archive with a symbolic link: refused with a message",
         None, lambda r, out: r["score"] == 0 and "a symbolic link" in out and same_list(r),
         handin=lambda d: make_archive(d, {}, links={FMT: "/etc/passwd",
                                                    BT: "../../solutions/lab0/step3/kernel/core/backtrace.cc"})),
]


def leaked(res):
    """Whether a distinctive line of a later lab's solution appears in the results."""
    text = json.dumps(res)
    lines = [l.strip() for l in open(LATER_SOLUTION) if len(l.strip()) > 30]
    return any(json.dumps(l)[1:-1] in text for l in lines[:20])


def no_leftovers():
    """No process of the grader's sandbox users is left running: [] or what is (pid, uid,
    command), for the failure message."""
    sys.path.insert(0, HERE)
    from sandbox import UID_BASE, UID_SPAN
    left = []
    # A killed sandbox's processes may take a moment to go: a fork bomb's 128 tasks (the host
    # tests' limit), on a loaded machine, took more than 5 s once.
    for _ in range(300):
        r = subprocess.run(["ps", "-eo", "pid=,uid=,comm="], stdout=subprocess.PIPE, text=True)
        left = [line.strip() for line in r.stdout.splitlines()
                if len(line.split()) >= 2 and UID_BASE <= int(line.split()[1]) < UID_BASE + UID_SPAN]
        if not left:
            return []
        time.sleep(0.1)
    return left


def make_archive(d, files, links=None):
    path = os.path.join(d, "handin.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return path


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def huge_member_case(d):
    """A small archive whose one member unpacks to 512 MiB: refused from its header, and the
    grader never holds it in memory (the check runs under a 300 MiB address-space limit)."""
    path = os.path.join(d, "bomb.tar.gz")
    size = 512 << 20
    with gzip.open(path, "wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        info = tarfile.TarInfo(FMT)
        info.size = size
        tar.addfile(info, io.BufferedReader(Zeros(size), 1 << 20))
    dest = os.path.join(d, "taken")
    os.makedirs(dest)
    code = (f"import sys; sys.path.insert(0, {HERE!r}); import handin; "
            f"handin.take_members({path!r}, {{{FMT!r}}}, {dest!r})")
    t0 = time.monotonic()
    p = subprocess.run(["prlimit", f"--as={300 << 20}", "--", sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    secs = time.monotonic() - t0
    ok = (p.returncode == 0 and "over the" in p.stdout and not os.listdir(dest) and secs < 30
          and os.path.getsize(path) < 1 << 20)
    return ok, f"archive {os.path.getsize(path) // 1024} KiB, checked in {secs:.1f} s:\n{p.stdout}"


def run_case(c):
    d = tempfile.mkdtemp(prefix="grader-selftest-")
    try:
        t0 = time.monotonic()
        results = []
        outs = []
        for i in range(c["runs"]):
            res = os.path.join(d, f"results{i}.json")
            if c["handin"]:
                arch = c["handin"](d)
                cmd = [sys.executable, os.path.join(HERE, "handin.py"), "grade", arch, "0", "--kit", ROOT, "--results", res]
            else:
                student = os.path.join(d, "student")
                for rel in LAB0:
                    os.makedirs(os.path.dirname(os.path.join(student, rel)), exist_ok=True)
                    with open(os.path.join(student, rel), "w") as f:
                        default = SOLUTION[rel] if rel == PARSER else SKELETON[rel]
                        f.write(c["files"].get(rel, default))
                cmd = [sys.executable, os.path.join(HERE, "grade.py"), "0", "--student", student, "--results", res]
                if c["sandbox"]:
                    cmd += ["--sandbox", c["sandbox"]]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
            outs.append(p.stdout.decode(errors="replace"))
            with open(res) as f:
                results.append(json.load(f))
        secs = time.monotonic() - t0
        ok = all(c["check"](r, o) for r, o in zip(results, outs))
        if c["runs"] > 1:
            strip = [json.dumps({k: v for k, v in r.items() if k != "execution_time"}, sort_keys=True) for r in results]
            if len(set(strip)) != 1:
                ok = False
                diff = [f"{x['name']}:\n  {x['output'][:300]!r}\n  {y['output'][:300]!r}"
                        for x, y in zip(results[0]["tests"], results[1]["tests"]) if x != y]
                outs.append(json.dumps(results[-1])[:2000] + "\nresults differ between runs:\n"
                            + "\n".join(diff or [results[0]["output"], results[1]["output"]]))
        detail = outs[-1] if "results differ" in outs[-1] else outs[-1] + "\nresults.json:\n" + json.dumps(results[-1], indent=1)[:3000]
        return ok, secs, detail, len(json.dumps(results[-1], indent=2))
    except Exception as e:  # a crashed case is a failed case
        return False, 0.0, f"the case itself failed: {e!r}", 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


def kit_state():
    return subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], stdout=subprocess.PIPE,
                          text=True).stdout


def main():
    wanted = sys.argv[1:]
    before = kit_state()
    disk_before = shutil.disk_usage("/").free
    cases = [c for c in CASES if not wanted or any(w in c["name"] for w in wanted)]
    checks = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {pool.submit(run_case, c): c for c in cases}
        for fut in concurrent.futures.as_completed(futures):
            c = futures[fut]
            ok, secs, detail, size = fut.result()
            print(f"selftest: {'ok    ' if ok else 'FAILED'} {c['name']} ({secs:.0f} s, results.json {size:,} bytes)",
                  flush=True)
            if not ok:
                print("\n".join(detail.splitlines()[-60:]))
            checks.append(ok)
    if not wanted or any(w in "huge" for w in wanted):
        with tempfile.TemporaryDirectory() as d:
            ok, detail = huge_member_case(d)
        print(f"selftest: {'ok    ' if ok else 'FAILED'} an archive member of 512 MiB: refused without reading it")
        if not ok:
            print(detail)
        checks.append(ok)
    left = no_leftovers()
    ok = not left
    print(f"selftest: {'ok    ' if ok else 'FAILED'} nothing a submission started is still running"
          + ("" if ok else f": {len(left)} process(es), e.g. " + "; ".join(left[:5])))
    checks.append(ok)
    ok = kit_state() == before
    print(f"selftest: {'ok    ' if ok else 'FAILED'} the grading kit is unchanged (git status)")
    checks.append(ok)
    lost = (disk_before - shutil.disk_usage("/").free) >> 20
    ok = lost < 512
    print(f"selftest: {'ok    ' if ok else 'FAILED'} the disk is as it was ({lost} MiB used by the cases)")
    checks.append(ok)
    passed = sum(checks)
    print(f"selftest: {passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
