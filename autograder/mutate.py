#!/usr/bin/env python3
"""How strong a lab's tests are: grade mutants of its solution and count the ones caught.

    autograder/mutate.py LAB [LAB ...] [--sample N] [--seed S] [--list] [--jobs J]

For each lab, the lines its solution adds over the skeleton (the student's work) are mutated
one change at a time, as a plausible mistake would change them:
  C++        a comparison flipped (`<` and `>=`, `==` and `!=`, ...), `&&` and `||` swapped,
             `&` and `|` swapped, a `!` or `~` dropped, an integer off by one, a statement
             deleted;
  assembly   an instruction dropped, two registers swapped, a displacement moved by 8.
Each mutant replaces its file in a copy of the solution's student files, which is then graded
exactly as a submission is (autograder/grade.py, --stop-early: the in-kernel tests are skipped
once a host test failed). A mutant is *caught* if any test fails; one that does not compile
counts for nothing. Prints a line per mutant that survived, and per lab
`mutate: lab N: C of M compiling mutants caught (P%), X did not compile`.

--sample N grades mutants per lab in an order the --seed fixes until N of them compiled (one
that does not compile is replaced by the next): what `make test` runs; the full run is
`make mutate`. --list prints the mutants without grading them. Exits non-zero
if a mutant survived.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (Ubuntu 22.04, Gradescope's images): the same parser
    import tomli as tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kit  # noqa: E402  (tools/kit.py: the overlay rule)

# ---- the mutation operators ----
# A comparison operator that is not part of <<, >>, ->, <=> or a template's brackets.
COMPARISON = re.compile(r"(?<![<>=!\-&|])(==|!=|<=|>=|<|>)(?![<>=])")
FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
INTEGER = re.compile(r"(?<![\w.])(0x[0-9a-fA-F]+|\d+)(?=[uUlL]*\b)")
REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
             "r13", "r14", "r15"]
REGISTER = re.compile(r"\b(" + "|".join(REGISTERS) + r")\b")
DISPLACEMENT = re.compile(r"\[(\w+) \+ (\d+)\]")


def code_part(line):
    """The line without its comment (// or /* ... */ for C++ and assembly alike), and with the
    insides of its string literals blanked (same length): a number in a message is no code."""
    code = re.split(r"//|/\*", line, maxsplit=1)[0]
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', code)


def cxx_mutants(line):
    """(description, new line) for each mutation of a C++ line."""
    code = code_part(line)
    if not code.strip() or code.lstrip().startswith("#") or "template" in code or "_cast<" in code:
        return []
    out = []
    m = COMPARISON.search(code)
    if m and "operator" not in code:
        out.append((f"`{m.group(1)}` -> `{FLIP[m.group(1)]}`",
                    line[:m.start()] + FLIP[m.group(1)] + line[m.end():]))
    for a, b in (("&&", "||"), ("||", "&&")):
        i = code.find(a)
        if i >= 0:
            out.append((f"`{a}` -> `{b}`", line[:i] + b + line[i + 2:]))
            break
    m = re.search(r"(?<![&|])([&|])(?![&|=])", code)
    if m:
        other = "|" if m.group(1) == "&" else "&"
        if not re.search(r"\w\s*&\s*\w+\s*[,)=;]", code) or m.group(1) == "|":  # not a reference
            out.append((f"`{m.group(1)}` -> `{other}`", line[:m.start()] + other + line[m.end():]))
    m = re.search(r"(?<![!=<>])!(?!=)", code)
    if m:
        out.append(("`!` dropped", line[:m.start()] + line[m.end():]))
    m = re.search(r"~", code)
    if m:
        out.append(("`~` dropped", line[:m.start()] + line[m.end():]))
    m = INTEGER.search(code)
    if m:
        v = int(m.group(1), 0)
        new = hex(v + 1) if m.group(1).startswith("0x") else str(v + 1)
        out.append((f"`{m.group(1)}` -> `{new}`", line[:m.start()] + new + line[m.end():]))
    stripped = code.strip()
    if stripped.endswith(";") and not re.match(r"(return\b|[\w:<>]+\s+[\w*&]+\s*[=;({])", stripped):
        out.append(("statement deleted", ""))
    elif stripped.startswith("return ") and stripped != "return {};":
        pass  # a deleted return does not compile: nothing to learn
    return out


def asm_mutants(line):
    """(description, new line) for each mutation of an assembly line."""
    code = code_part(line).strip()
    if not code or code.endswith(":") or code.startswith(".") or code.startswith("#"):
        return []
    label = re.match(r"\s*[\w.]+:", code)  # `1:  vmresume`: the label stays
    out = [("instruction dropped", label.group(0) if label else "")]
    regs = REGISTER.findall(code)
    if len(regs) >= 1:
        a = regs[0]
        b = regs[1] if len(regs) >= 2 and regs[1] != a else REGISTERS[(REGISTERS.index(a) + 1) % len(REGISTERS)]
        raw = re.split(r"//|/\*", line, maxsplit=1)[0]  # its comment apart, strings and all
        swapped = REGISTER.sub(lambda m: b if m.group(1) == a else a if m.group(1) == b else m.group(1), raw)
        if swapped != raw:
            out.append((f"registers `{a}` and `{b}` swapped", swapped + line[len(raw):]))
    m = DISPLACEMENT.search(line)
    if m:
        moved = f"[{m.group(1)} + {int(m.group(2)) + 8}]"
        out.append((f"displacement {m.group(2)} -> {int(m.group(2)) + 8}",
                    line[:m.start()] + moved + line[m.end():]))
    return out


def added_lines(skeleton, solution):
    """Indexes of the solution's lines that the skeleton does not have."""
    sm = difflib.SequenceMatcher(a=skeleton, b=solution, autojunk=False)
    return [j for tag, _, _, j1, j2 in sm.get_opcodes() if tag in ("insert", "replace") for j in range(j1, j2)]


def comment_lines(lines):
    """Indexes of the lines that lie wholly inside a /* ... */ comment opened on an earlier line
    (a block comment's middle lines, ` * text`): prose, nothing to mutate."""
    inside, out = False, set()
    for j, line in enumerate(lines):
        if inside:
            end = line.find("*/")
            if end < 0 or not line[end + 2:].strip():
                out.add(j)
            inside = end < 0
            continue
        start = code_part(line).__len__()
        rest = line[start:]
        inside = rest.startswith("/*") and "*/" not in rest[2:]
    return out


def mutants_of(lab):
    """Every mutant of lab `lab`: (file, line number, description, mutated text)."""
    out = []
    for rel in student_files(lab):
        sol = kit.overlay(rel, [lab])
        if sol == os.path.join(ROOT, rel):
            continue  # no solution for it
        skeleton = open(os.path.join(ROOT, rel)).read().splitlines(keepends=True)
        solution = open(sol).read().splitlines(keepends=True)
        gen = asm_mutants if rel.endswith(".S") else cxx_mutants
        prose = comment_lines(solution)
        for j in added_lines(skeleton, solution):
            if j in prose:
                continue
            for what, new in gen(solution[j].rstrip("\n")):
                text = solution[:j] + ([new + "\n"] if new else []) + solution[j + 1:]
                out.append((rel, j + 1, what, "".join(text)))
    return out


def student_files(lab):
    """The student files of lab `lab` (its spec's list)."""
    with open(os.path.join(HERE, "labs", f"lab{lab}.toml"), "rb") as f:
        return tomllib.load(f).get("student_files", [])


def grade_mutant(lab, rel, text, files):
    """Grade a copy of lab `lab`'s solution files with `rel` replaced by `text`: "caught",
    "survived" or "no-compile", and the failed tests' names."""
    work = tempfile.mkdtemp(prefix=f"vlibos-mutant-lab{lab}-")
    try:
        for f in files:
            dst = os.path.join(work, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if f == rel:
                with open(dst, "w") as out:
                    out.write(text)
            else:
                shutil.copyfile(kit.overlay(f, [lab]), dst)
        results = os.path.join(work, "results.json")
        subprocess.run([sys.executable, os.path.join(HERE, "grade.py"), str(lab), "--student", work,
                        "--results", results, "--quiet", "--stop-early"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
        try:
            tests = json.load(open(results))["tests"]
        except (OSError, ValueError, KeyError):
            return "no-compile", ["the grader gave no results"]
        failed = [t for t in tests if t["status"] != "passed" and not t["name"].startswith("written: ")]
        if any("did not compile" in t.get("output", "") for t in failed):
            return "no-compile", []
        return ("caught" if failed else "survived"), [t["name"] for t in failed]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def grade_lab(lab, order, want, jobs):
    """Grade the mutants of `order` in order, `jobs` at a time, until `want` of them compiled
    (all of them if `want` is None): a mutant that does not compile is replaced by the next one.
    Prints a line per mutant and the lab's summary; returns True if one survived."""
    counts = {"caught": 0, "survived": 0, "no-compile": 0}
    files = student_files(lab)
    survived_any = False
    nxt = 0
    inflight = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        while True:
            compiled = counts["caught"] + counts["survived"]
            while (len(inflight) < jobs and nxt < len(order)
                   and (want is None or compiled + len(inflight) < want)):
                rel, line, what, text = order[nxt]
                inflight[pool.submit(grade_mutant, lab, rel, text, files)] = (rel, line, what)
                nxt += 1
            if not inflight:
                break
            done, _ = concurrent.futures.wait(inflight, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                rel, line, what = inflight.pop(fut)
                verdict, failed = fut.result()
                counts[verdict] += 1
                if verdict == "survived":
                    survived_any = True
                    print(f"mutate: lab {lab}: SURVIVED {rel}:{line}: {what}", flush=True)
                else:
                    print(f"mutate: lab {lab}: {verdict:10} {rel}:{line}: {what}"
                          + (f" (first failed: {failed[0]})" if failed else ""), flush=True)
    compiled = counts["caught"] + counts["survived"]
    pct = 100.0 * counts["caught"] / compiled if compiled else 0.0
    print(f"mutate: lab {lab}: {counts['caught']} of {compiled} compiling mutants caught ({pct:.0f}%), "
          f"{counts['no-compile']} did not compile", flush=True)
    return survived_any


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labs", nargs="+", type=int)
    ap.add_argument("--sample", type=int, help="grade mutants until this many per lab compiled")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--list", action="store_true", help="print the mutants, grade nothing")
    ap.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    a = ap.parse_args()
    chosen = {}
    for lab in a.labs:
        ms = mutants_of(lab)
        if a.sample is not None:  # the seed's order: the first ones that compile are graded
            ms = random.Random(a.seed * 1000 + lab).sample(ms, len(ms))
        chosen[lab] = ms
        if a.list:
            shown = ms if a.sample is None else ms[:a.sample]
            for rel, line, what, _ in shown:
                print(f"mutate: lab {lab}: {rel}:{line}: {what}")
            print(f"mutate: lab {lab}: {len(shown)} of {len(ms)} mutants"
                  + (" (the first candidates: one that does not compile is replaced by the next)"
                     if a.sample is not None else ""))
    if a.list:
        return 0
    what = f"until {a.sample} per lab compile" if a.sample is not None else "all of them"
    print(f"mutate: grading mutants of lab(s) {', '.join(map(str, a.labs))} ({what}), "
          f"{a.jobs} at a time ...", flush=True)
    # Labs side by side, the jobs shared among them: one lab alone gets them all.
    outer = max(1, min(a.jobs, len(chosen)))
    inner = max(1, a.jobs // outer)
    with concurrent.futures.ThreadPoolExecutor(max_workers=outer) as pool:
        futs = [pool.submit(grade_lab, lab, ms, a.sample, inner) for lab, ms in chosen.items()]
        survived_any = any([f.result() for f in futs])
    return 1 if survived_any else 0


if __name__ == "__main__":
    sys.exit(main())
