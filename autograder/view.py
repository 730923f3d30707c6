"""The student's view of the kit: the only files a graded build can see.

    view = View.create(kit, work, prebuilt_labs, log)

The view holds the kit's sources and headers that are not solutions; the grader then puts the
graded lab's student files in (and nothing else of the student's). The solutions of the
earlier labs the grade builds on enter as objects compiled here, in the grader's own kit,
before the student's build starts (`prebuilt/`): the Makefile's PREBUILT and CMake's PREBUILT
link them in place of those labs' sources. So no solution source is in reach of a submission,
whatever it includes: the build simply cannot open one.

Left out of the view: solutions/, autograder/, .git/, build/ and the handouts and docs.
"""
import fcntl
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
from kit import build_dir, item_files, labs_arg, overlay, solved_tag  # noqa: E402  (tools/kit.py)

# What a build needs; everything else stays out of reach.
VIEW_DIRS = ["kernel", "hypervisor", "libos", "apps", "slave", "tests", "tools"]
VIEW_FILES = ["Makefile", "CMakeLists.txt", ".clang-format"]


def _copy_tree(src, dst):
    """Copy regular files (never links) under src to dst, without caches or build output."""
    for d, dirs, files in os.walk(src):
        dirs[:] = [x for x in dirs if x not in ("__pycache__", ".git", "build")]
        rel = os.path.relpath(d, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for f in files:
            s = os.path.join(d, f)
            if os.path.islink(s) or not os.path.isfile(s):
                continue
            shutil.copyfile(s, os.path.join(dst, rel, f))


class BuildError(Exception):
    pass


class View:
    def __init__(self, root, out, prebuilt):
        self.root, self.out, self.prebuilt = root, out, prebuilt

    @staticmethod
    def create(kit, work, prebuilt_labs, log):
        """The kit's files (the student files as the skeleton: the grader copies the student's
        in after a trusted build of this view has filled the compiler cache) in work/view, an
        output folder work/out, and the prebuilt objects of `prebuilt_labs` in work/out/prebuilt."""
        root = os.path.join(work, "view")
        out = os.path.join(work, "out")
        prebuilt = os.path.join(out, "prebuilt")
        os.makedirs(root)
        os.makedirs(prebuilt)
        for d in VIEW_DIRS:
            if os.path.isdir(os.path.join(kit, d)):
                _copy_tree(os.path.join(kit, d), os.path.join(root, d))
        for f in VIEW_FILES:
            if os.path.isfile(os.path.join(kit, f)):
                shutil.copyfile(os.path.join(kit, f), os.path.join(root, f))
        os.makedirs(os.path.join(root, "build"), exist_ok=True)
        if prebuilt_labs:
            # One build of a solved set at a time: two gradings (the honesty check runs two at
            # once) may want the same objects in the same build folder.
            os.makedirs(os.path.join(kit, "build"), exist_ok=True)
            with open(os.path.join(kit, "build", f".prebuild-{solved_tag(prebuilt_labs)}.lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                _prebuild(kit, prebuilt, prebuilt_labs, log)
        return View(root, out, prebuilt)


def _run(cmd, cwd, what):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", timeout=1800)
    if r.returncode != 0:
        raise BuildError(f"the grader could not build {what}:\n" + "\n".join(r.stdout.splitlines()[-30:]))


def _prebuild(kit, dest, labs, log):
    """Compile the overlays of `labs` in the grader's kit, in every flavour a build links them
    in: kernel objects, application objects (the Makefile), the slave's programs (Linux, static)
    and host-test objects (CMake)."""
    tag = solved_tag(labs)
    solved = labs_arg(labs)
    log(f"compiling the solutions of labs {', '.join(map(str, labs))} (objects only) ...")
    paths = [(n, p) for n in labs for p in item_files(n, kit)]
    build = build_dir(labs, "")  # relative to the kit: build/solved-<tag>
    env_make = ["make", "-s", f"SOLVED={solved}", "Q=@"]
    app_srcs = _make_var(kit, "APP_LIB_SRCS")
    kernel_srcs = set(_make_var(kit, "KERNEL_SRCS"))
    kernel_targets = [f"{build}/obj/{p}.o" for _, p in paths if p in kernel_srcs]
    app_targets = [f"{build}/appobj/{p}.o" for _, p in paths if p in app_srcs]
    _run(env_make + kernel_targets + app_targets, kit, "the earlier labs' solutions (kernel objects)")
    for flavour, targets in (("obj", kernel_targets), ("appobj", app_targets)):
        for t in targets:
            rel = t.split(f"/{flavour}/", 1)[1]
            os.makedirs(os.path.dirname(os.path.join(dest, flavour, rel)), exist_ok=True)
            shutil.copyfile(os.path.join(kit, t), os.path.join(dest, flavour, rel))
    # The slave's programs (vlibosd and its helpers, a static Linux binary): the overlays among
    # their sources, compiled with their flags; tools/slave_initramfs.py links these objects
    # in place of those sources (slave_build.py --prebuilt=).
    sys.path.insert(0, os.path.join(kit, "tools"))
    import slave_initramfs  # noqa: E402  (tools/slave_initramfs.py)
    slave_srcs = set(slave_initramfs.program_sources(kit))
    for n, p in paths:
        if p not in slave_srcs:
            continue
        obj = os.path.join(dest, "slave", p + ".o")
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        _run(["g++", *slave_initramfs.COMPILE_FLAGS, f"-I{kit}", "-c", overlay(p, [n], kit), "-o", obj], kit,
             f"the earlier labs' solutions (the slave's programs: {p})")
    host = os.path.join(kit, "build", f"host-{tag}")
    _run(["cmake", "-S", kit, "-B", host, f"-DSOLVED={solved}", "-DCMAKE_BUILD_TYPE=Debug", "-DPREBUILT="],
         kit, "the host-test configuration")
    _run(["cmake", "--build", host, "--target", "kit_overlay_objects", "-j", str(os.cpu_count() or 2)], kit,
         "the earlier labs' solutions (host-test objects)")
    objdir = os.path.join(host, "CMakeFiles", "kit_overlay_objects.dir")
    for n, p in paths:
        if not p.endswith(".cc"):
            continue
        src = os.path.join(objdir, os.path.relpath(overlay(p, [n], kit), kit) + ".o")
        if os.path.exists(src):
            os.makedirs(os.path.dirname(os.path.join(dest, "host", p)), exist_ok=True)
            shutil.copyfile(src, os.path.join(dest, "host", p + ".o"))


def _make_var(kit, name):
    r = subprocess.run(["make", "-s", "--no-print-directory", f"print-{name}"], cwd=kit, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout.split()


def check_dependencies(dep_files, allowed_roots, view_root):
    """The compiler's own dependency lists (-MD/-MMD .d files) of a graded build: every file
    it read must be in the view or in the system's headers. Returns the offending paths."""
    bad = set()
    for f in dep_files:
        try:
            text = open(f, errors="replace").read()
        except OSError:
            continue
        text = text.replace("\\\n", " ")
        for line in text.splitlines():
            if ":" not in line:
                continue
            for dep in line.split(":", 1)[1].split():
                path = dep if os.path.isabs(dep) else os.path.normpath(os.path.join(view_root, dep))
                if not any(path == r or path.startswith(r.rstrip("/") + "/") for r in allowed_roots):
                    bad.add(dep)
    return sorted(bad)
