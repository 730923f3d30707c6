#!/usr/bin/env python3
"""How much code each lab asks of a student: the code lines its solution adds over the starting
code, per lab and step, as a line diff shows them (lines of the solution that the starting file
does not have, without blank and comment-only lines).

    python3 tools/solution_lines.py          a table, per lab and step, with the totals of the
                                             kernel labs (0-4), the hypervisor labs (5-7) and
                                             delegation (8-9)
"""
import difflib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402  (tools/kit.py)

ROOT = kit.ROOT


def code_lines(text):
    """The lines that are code: not blank, not a comment alone (//, /* ... */ lines, #, ;)."""
    out, in_block = [], False
    for line in text.splitlines():
        s = line.strip()
        if in_block:
            if "*/" in s:
                in_block = False
            continue
        if s.startswith("/*"):
            in_block = "*/" not in s
            continue
        if not s or s.startswith(("//", "#", ";")) and not s.startswith(("#include", "#define", "#if")):
            continue
        out.append(s)
    return out


def added(skeleton, solution):
    """Code lines of `solution` that a line diff against `skeleton` shows as added."""
    a, b = code_lines(skeleton), code_lines(solution)
    n = 0
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("insert", "replace"):
            n += j2 - j1
    return n


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def lab_lines(lab):
    """[(step, path, lines)] for lab `lab`: each file against the starting code (or, in a later
    step, against the same file's previous step)."""
    steps = kit.lab_steps(lab, ROOT) or [None]
    rows = []
    for s in steps:
        for p in kit.overlay_files(lab, ROOT, s if s is not None else None):
            base = os.path.join(ROOT, "solutions", f"lab{lab}", f"step{s}") if s else os.path.join(
                ROOT, "solutions", f"lab{lab}")
            before = os.path.join(ROOT, p)
            for earlier in reversed([x for x in steps if s and x and x < s]):
                q = os.path.join(ROOT, "solutions", f"lab{lab}", f"step{earlier}", p)
                if os.path.exists(q):
                    before = q
                    break
            rows.append((s, p, added(read(before), read(os.path.join(base, p)))))
    return rows


def main():
    groups = {"kernel labs (0-4)": range(0, 5), "hypervisor labs (5-7)": range(5, 8),
              "delegation labs (8-9)": range(8, 10)}
    totals = {}
    print("| lab | step | file | code lines added |")
    print("|---|---|---|---|")
    for lab in kit.available_labs(ROOT):
        n = 0
        for s, p, lines in lab_lines(lab):
            print(f"| {lab} | {s or '-'} | `{p}` | {lines} |")
            n += lines
        totals[lab] = n
        print(f"| {lab} | all | | **{n}** |")
    print()
    for name, labs in groups.items():
        print(f"{name}: {sum(totals.get(lab, 0) for lab in labs)} code lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
