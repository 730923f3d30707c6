"""The kit's two build rules, for every Python tool (the Makefile's own, in Python):

  - the solved-lab list: which labs have a solution overlay (solutions/labN/), and what a SOLVED
    setting means: `all` (every overlay), `none` (or empty), or a list such as `0,1,5.2`, where
    `N` is all of lab N and `N.K` its steps 1 to K (a lab cut in steps keeps step K's solution in
    solutions/labN/stepK/); a build with it goes to build/solved-<tag>/, the tag being the list
    joined with '-' (or `none`);
  - the overlay rule: the overlay directories of the solved list, in order (lab N's: its
    step1/ ... stepK/, or solutions/labN/ for a lab without steps), and the first that has
    <path> gives the file compiled for <path>.

    import kit                      # tools/ on sys.path
    kit.kernel_path("all")          # <kit>/build/solved-0-1-...-9/kernel.elf
    kit.overlay("libos/channel/ring.cc", [8])
    kit.overlay("hypervisor/core/vmx_on.cc", [0, 1, "5.1"])

Every function takes the kit's root (default: this checkout), so the grader can ask about the
kit it grades with. The Makefile and CMakeLists.txt ask this file too (tools/tests/kit_test.py
checks that they agree):

    python3 tools/kit.py solved SOLVED   the solved list, one line, items separated by spaces
    python3 tools/kit.py dirs SOLVED     its overlay directories, in order
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def available_labs(root=ROOT):
    """The labs with a solution overlay, solutions/labN/, in increasing order."""
    d = os.path.join(root, "solutions")
    if not os.path.isdir(d):
        return []
    return sorted(int(n[3:]) for n in os.listdir(d)
                  if re.fullmatch(r"lab\d+", n) and os.path.isdir(os.path.join(d, n)))


def lab_steps(lab, root=ROOT):
    """The steps of lab `lab` (its solutions/labN/stepK/ directories), in increasing order; []
    for a lab without steps."""
    d = os.path.join(root, "solutions", f"lab{lab}")
    if not os.path.isdir(d):
        return []
    return sorted(int(n[4:]) for n in os.listdir(d)
                  if re.fullmatch(r"step[1-9]", n) and os.path.isdir(os.path.join(d, n)))


def split_item(item):
    """A solved-list item as (lab, steps): 5 -> (5, None), "5.2" -> (5, 2)."""
    if isinstance(item, int):
        return item, None
    m = re.fullmatch(r"(\d+)(?:\.(\d))?", str(item))
    if not m:
        raise ValueError(f"not a lab or a lab step: {item!r} (want N or N.K, e.g. 5 or 5.2)")
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


def solved_labs(solved="all", root=ROOT):
    """What SOLVED means: `all` -> every overlay, `none` or "" -> [], else the listed items
    (separated by commas or spaces; a list is taken as it is): N for all of lab N, as an int,
    "N.K" for its steps 1 to K, as a string. Sorted by lab, each lab once (the most of it asked);
    "N.K" with K at least the lab's step count is N, and "N.0" is nothing of lab N."""
    if not isinstance(solved, (list, tuple, set)):
        solved = str(solved).strip()
        if solved == "all":
            return available_labs(root)
        if solved in ("none", ""):
            return []
        solved = [x for x in re.split(r"[,\s]+", solved) if x]
    most = {}
    for item in solved:
        lab, k = split_item(item)
        steps = lab_steps(lab, root) or [1]  # a lab without steps is one step
        k = None if k is None or k >= len(steps) else k
        if lab in most and (most[lab] is None or (k is not None and k <= most[lab])):
            continue
        most[lab] = k
    return [lab if k is None else f"{lab}.{k}" for lab, k in sorted(most.items()) if k != 0]


def item_key(item):
    """Sorts a solved list: by lab, a lab's steps before all of it."""
    lab, k = split_item(item)
    return lab, 10 if k is None else k


def labs_arg(labs):
    """The SOLVED value for `labs` (e.g. "0,1,5.2"; "none" for nothing solved)."""
    return ",".join(map(str, sorted(labs, key=item_key))) or "none"


def solved_tag(labs):
    """build/solved-<tag>: the items joined with '-', or `none`."""
    return "-".join(map(str, sorted(labs, key=item_key))) or "none"


def overlay_dirs(labs, root=ROOT):
    """The overlay directories of `labs` (a solved list), relative to the kit, in the order the
    overlay rule looks in them."""
    out = []
    for item in sorted(labs, key=item_key):
        lab, k = split_item(item)
        steps = lab_steps(lab, root)
        if not steps:
            out.append(f"solutions/lab{lab}")
        else:
            out += [f"solutions/lab{lab}/step{s}" for s in steps if k is None or s <= k]
    return out


def build_dir(solved="all", root=ROOT):
    """Where a build with SOLVED=`solved` (a setting or a list of labs) goes."""
    return os.path.join(root, "build", "solved-" + solved_tag(solved_labs(solved, root)))


def kernel_path(solved="all", root=ROOT):
    """The kernel image of that build."""
    return os.path.join(build_dir(solved, root), "kernel.elf")


def overlay(path, labs, root=ROOT):
    """The file a build with `labs` solved compiles for `path` (relative to the kit): the first
    overlay directory's (overlay_dirs) <dir>/<path>, else <path> itself; absolute."""
    for d in overlay_dirs(labs, root):
        p = os.path.join(root, d, path)
        if os.path.exists(p):
            return p
    return os.path.join(root, path)


def overlay_files(lab, root=ROOT, step=None):
    """The paths (relative to the kit) that lab `lab`'s overlay replaces (only step `step`'s, if
    given), sorted."""
    steps = lab_steps(lab, root)
    if steps:
        bases = [os.path.join(root, "solutions", f"lab{lab}", f"step{s}") for s in steps
                 if step is None or s == step]
    else:
        bases = [os.path.join(root, "solutions", f"lab{lab}")] if step in (None, 1) else []
    out = []
    for base in bases:
        for d, _, files in os.walk(base):
            for f in files:
                out.append(os.path.relpath(os.path.join(d, f), base))
    return sorted(out)


def item_files(item, root=ROOT):
    """The paths (relative to the kit) that a solved-list item (N, or "N.K") replaces, sorted."""
    lab, k = split_item(item)
    steps = lab_steps(lab, root)
    if not steps:
        return overlay_files(lab, root)
    return sorted({p for s in steps if k is None or s <= k for p in overlay_files(lab, root, s)})


def solution_step(path):
    """The step whose overlay holds `path` (relative to the kit), or None if it is in no step."""
    m = re.match(r"solutions/lab\d+/step([1-9])/", path)
    return int(m.group(1)) if m else None


def solution_lab(path):
    """The lab whose overlay holds `path` (relative to the kit), or None if it is no solution."""
    m = re.match(r"solutions/lab(\d+)/", path)
    return int(m.group(1)) if m else None


def main(argv):
    if len(argv) != 3 or argv[1] not in ("solved", "dirs"):
        print("usage: kit.py solved|dirs SOLVED", file=sys.stderr)
        return 2
    try:
        labs = solved_labs(argv[2])
    except ValueError as e:
        print(f"kit.py: SOLVED={argv[2]}: {e}", file=sys.stderr)
        return 2
    print(" ".join(map(str, labs)) if argv[1] == "solved" else " ".join(overlay_dirs(labs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
