#!/usr/bin/env python3
"""Docs that must match the code (a step of `make test`):

  - every lab's handout (labs/labN-*/README.md) names each test of its autograder spec
    (autograder/labs/labN.toml): in-kernel tests by name, host tests as `<executable>:<case>`,
    possibly cut short with "..." after a prefix of the case;
  - the lab table of labs/README.md has a row per lab whose steps (titles, or "one"), student
    files and hours (the sum of the steps') are those of the lab's spec;
  - README.md's lab table and docs/architecture.md's student-file table list exactly each
    spec's student files;
  - the kernel command-line table of docs/architecture.md has a row for every option the
    kernel knows: every BOOT_OPTION registration (kernel/hooks.h) in kernel/, hypervisor/ and
    libos/, wherever it is;
  - every path of the kit named in docs, comments and scripts exists;
  - no committed file cites notes the kit's users do not have (the developers' platform, style
    and design notes, issue numbers): the fact belongs where it is used, or in docs/.

Prints what is missing and ends with `docs-check: N problem(s)`.
"""
import glob
import os
import re
import subprocess
import sys
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def handout_problems():
    problems = []
    for spec_path in sorted(glob.glob(os.path.join(ROOT, "autograder", "labs", "lab*.toml"))):
        lab = int(re.search(r"lab(\d+)\.toml$", spec_path).group(1))
        with open(spec_path, "rb") as f:
            spec = tomllib.load(f)
        handouts = glob.glob(os.path.join(ROOT, "labs", f"lab{lab}-*", "README.md"))
        if not handouts:
            problems.append(f"lab {lab}: no handout labs/lab{lab}-*/README.md")
            continue
        text = open(handouts[0]).read()
        rel = os.path.relpath(handouts[0], ROOT)
        for t in spec.get("target", {}).get("tests", []):
            if f"`{t['name']}`" not in text:
                problems.append(f"{rel}: in-kernel test `{t['name']}` is not described")
        # Table rows name a case as `exe:case`, `exe:prefix ...` (cut short), or `... case` (the
        # executable of the row above).
        named, cut, exe_above = set(), [], None
        for m in re.finditer(r"^\| `(?:(\w+):|\.\.\. )([^`]*)`", text, re.M):
            exe = m.group(1) or exe_above
            exe_above = exe
            case = m.group(2)
            if case.endswith(" ..."):
                cut.append((exe, case[:-4]))
            else:
                named.add((exe, case))
        for name in spec.get("host", {}).get("tests", []):
            name = name if isinstance(name, str) else name["name"]  # a name, or {name, points, step}
            exe, _, case = name.partition(": ")
            if f"`{exe}:{case}`" in text or (exe, case) in named:
                continue
            if any(e == exe and case.startswith(prefix) for e, prefix in cut):
                continue
            problems.append(f"{rel}: host test `{exe}:{case}` is not described")
    return problems


def lab_table_problems():
    """labs/README.md: `| N | [name](...) | steps | files | hours | emulator |` per lab."""
    problems = []
    path = os.path.join(ROOT, "labs", "README.md")
    text = open(path).read() if os.path.exists(path) else ""
    rows = {int(m.group(1)): [c.strip() for c in m.group(2).split("|")]
            for m in re.finditer(r"^\| (\d+) \|(.*)\|$", text, re.M)}
    for spec_path in sorted(glob.glob(os.path.join(ROOT, "autograder", "labs", "lab*.toml"))):
        lab = int(re.search(r"lab(\d+)\.toml$", spec_path).group(1))
        with open(spec_path, "rb") as f:
            spec = tomllib.load(f)
        row = rows.get(lab)
        if not row or len(row) != 5:
            problems.append(f"labs/README.md: no row for lab {lab} (| {lab} | name | steps | files | hours | emulator |)")
            continue
        _, steps, files, hours, emulator = row
        want_steps = "; ".join(f"{st['number']}. {st['title']}" for st in spec.get("steps", [])) or "one"
        if steps != want_steps:
            problems.append(f"labs/README.md: lab {lab}'s steps are `{want_steps}`, the table says `{steps}`")
        want_files = ", ".join(f"`{f}`" for f in spec.get("student_files", []))
        if files != want_files:
            problems.append(f"labs/README.md: lab {lab}'s files are {want_files}, the table says {files}")
        want_hours = sum(st.get("hours", 0) for st in spec.get("steps", [])) or spec.get("hours")
        if hours != str(want_hours):
            problems.append(f"labs/README.md: lab {lab} takes {want_hours} hours by its spec, the table says {hours}")
        want_emu = {"qemu": "QEMU", "bochs": "Bochs"}.get(spec.get("target", {}).get("emulator", "qemu"))
        if emulator != want_emu:
            problems.append(f"labs/README.md: lab {lab} runs in {want_emu}, the table says {emulator}")
    return problems


def file_table_problems():
    """The other pages that list each lab's student files (README.md's lab table,
    docs/architecture.md's student-file table) name exactly the spec's files."""
    problems = []
    specs = {}
    for spec_path in sorted(glob.glob(os.path.join(ROOT, "autograder", "labs", "lab*.toml"))):
        with open(spec_path, "rb") as f:
            spec = tomllib.load(f)
        specs[spec["lab"]] = spec.get("student_files", [])
    for rel in ("README.md", os.path.join("docs", "architecture.md")):
        text = open(os.path.join(ROOT, rel)).read()
        rows = {}
        for m in re.finditer(r"^\| (\d+) \|(.*)\|$", text, re.M):
            paths = re.findall(r"`((?:kernel|hypervisor|libos)/[^`]+)`", m.group(2))
            if paths:
                rows[int(m.group(1))] = paths
        for lab, files in specs.items():
            if lab not in rows:
                problems.append(f"{rel}: no row lists lab {lab}'s student files")
            elif rows[lab] != files:
                problems.append(f"{rel}: lab {lab}'s student files are {', '.join(files)}; the row lists "
                                f"{', '.join(rows[lab])}")
    return problems


def registered_options():
    """Every option some layer registers: `BOOT_OPTION(key, ...)` in a C++ source or header
    (the macro's own #define left out)."""
    known = []
    for top in ("kernel", "hypervisor", "libos"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".cc", ".h")):
                    src = open(os.path.join(d, f)).read()
                    known += re.findall(r"^(?!\s*#\s*define)[^\n]*?\bBOOT_OPTION\(\s*(\w+)\s*,", src, re.M)
    return sorted(set(known))


def cmdline_problems():
    known = registered_options()
    if not known:
        return ["no BOOT_OPTION registration found (kernel/hooks.h): the option check saw nothing"]
    doc = open(os.path.join(ROOT, "docs", "architecture.md")).read()
    table = doc[doc.index("## Kernel command line"):]
    return [f"docs/architecture.md: the kernel command-line table has no row for `{k}`"
            for k in known if not re.search(rf"^\| `{k}[=` ]", table, re.M)]


PATH_TOPS = ("kernel", "hypervisor", "libos", "autograder", "tools", "labs", "docs", "solutions", "apps", "slave")
# A path of the kit named in prose or a comment: a top-level folder of the kit, then more.
PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*\w)" % "|".join(PATH_TOPS))
# Paths that exist only in a student release (tools/handout.py adds them).
RELEASE_ONLY = ("slave/" + "prebuilt/",)  # (split: this line names no path itself)
# Placeholders stand for many paths: labN, stepK, NAME, a lone N.
PLACEHOLDER_RE = re.compile(r"labN|stepK|NAME|(?<![A-Za-z])N(?![A-Za-z])")


def committed_lines(keep=lambda rel: True):
    """(path, line number, line) of every committed text file `keep` accepts."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files"], stdout=subprocess.PIPE, text=True).stdout.split()
    for rel in files:
        if not keep(rel):
            continue
        try:
            text = open(os.path.join(ROOT, rel), errors="strict").read()
        except (UnicodeDecodeError, OSError):
            continue
        for no, line in enumerate(text.splitlines(), 1):
            yield rel, no, line


def path_problems():
    """Every path of the kit that docs, comments and scripts name exists: as written from the
    root, or from an include root (kernel/, hypervisor/, libos/: `core/vmcs.h` inside
    hypervisor/). Citations of outside documents (Linux's boot.rst) name no such path."""
    problems = []
    exts = (".md", ".cc", ".h", ".S", ".py", ".toml", ".cmake", ".inc")
    for rel, no, line in committed_lines(lambda r: not r.startswith("tools/tests/") and r.endswith(exts)):
        for m in PATH_RE.finditer(line):
            path = m.group(1).rstrip(".")
            if PLACEHOLDER_RE.search(path) or re.search(r"(solutions|labs)/lab$", path):
                continue
            if path.startswith(RELEASE_ONLY):  # written by tools/handout.py into a release
                continue
            if any(os.path.exists(os.path.join(ROOT, base, path)) for base in ("", "kernel", "hypervisor", "libos")):
                continue
            problems.append(f"{rel}:{no}: names `{path}`, which does not exist")
    return problems


def citation_problems():
    pattern = re.compile(r"\b(?:PLATFORM|STYLE|DESIGN)\.md\b|\b[Ii]ssues? #?\d+\b")
    return [f"{rel}:{no}: cites a note the kit's users do not have: {line.strip()[:80]}"
            for rel, no, line in committed_lines(lambda r: r != "tools/docs_check.py") if pattern.search(line)]


def main():
    problems = (handout_problems() + lab_table_problems() + file_table_problems() + cmdline_problems()
                + citation_problems() + path_problems())
    for p in problems:
        print(f"docs-check: {p}")
    print(f"docs-check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
