"""The kit's two build rules, for every Python tool (the Makefile's own, in Python):

  - the solved-lab list: which labs have a solution overlay (solutions/labN/), and what a SOLVED
    setting means: `all` (every overlay), `none` (or empty), or a list such as `0,1,8`; a build
    with it goes to build/solved-<tag>/, the tag being the labs joined with '-' (or `none`);
  - the overlay rule: solutions/labN/<path> replaces <path> for the first solved lab N (in
    increasing order) whose overlay has it.

    import kit                      # tools/ on sys.path
    kit.kernel_path("all")          # <kit>/build/solved-0-1-...-8/kernel.elf
    kit.overlay("libos/channel/ring.cc", [8])

Every function takes the kit's root (default: this checkout), so the grader can ask about the
kit it grades with. tools/tests/kit_test.py checks these against the Makefile.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def available_labs(root=ROOT):
    """The labs with a solution overlay, solutions/labN/, in increasing order."""
    d = os.path.join(root, "solutions")
    if not os.path.isdir(d):
        return []
    return sorted(int(n[3:]) for n in os.listdir(d)
                  if re.fullmatch(r"lab\d+", n) and os.path.isdir(os.path.join(d, n)))


def solved_labs(solved="all", root=ROOT):
    """What SOLVED means: `all` -> every overlay, `none` or "" -> [], else the listed labs
    (separated by commas or spaces), sorted, each once. A list of numbers is taken as it is."""
    if isinstance(solved, (list, tuple, set)):
        return sorted({int(n) for n in solved})
    solved = str(solved).strip()
    if solved == "all":
        return available_labs(root)
    if solved in ("none", ""):
        return []
    return sorted({int(x) for x in re.split(r"[,\s]+", solved) if x})


def labs_arg(labs):
    """The SOLVED value for `labs` (e.g. "0,1,8"; "none" for no lab)."""
    return ",".join(map(str, sorted(labs))) or "none"


def solved_tag(labs):
    """build/solved-<tag>: the labs joined with '-', or `none`."""
    return "-".join(map(str, sorted(labs))) or "none"


def build_dir(solved="all", root=ROOT):
    """Where a build with SOLVED=`solved` (a setting or a list of labs) goes."""
    return os.path.join(root, "build", "solved-" + solved_tag(solved_labs(solved, root)))


def kernel_path(solved="all", root=ROOT):
    """The kernel image of that build."""
    return os.path.join(build_dir(solved, root), "kernel.elf")


def overlay(path, labs, root=ROOT):
    """The file a build with `labs` solved compiles for `path` (relative to the kit): the
    first solved lab's solutions/labN/<path>, else <path> itself; absolute."""
    for n in sorted(labs):
        p = os.path.join(root, "solutions", f"lab{n}", path)
        if os.path.exists(p):
            return p
    return os.path.join(root, path)


def overlay_files(lab, root=ROOT):
    """The paths (relative to the kit) that lab `lab`'s overlay replaces, sorted."""
    base = os.path.join(root, "solutions", f"lab{lab}")
    out = []
    for d, _, files in os.walk(base):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), base))
    return sorted(out)


def solution_lab(path):
    """The lab whose overlay holds `path` (relative to the kit), or None if it is no solution."""
    m = re.match(r"solutions/lab(\d+)/", path)
    return int(m.group(1)) if m else None
