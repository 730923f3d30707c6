"""tools/kit.py against a made-up kit and against the Makefile it mirrors (make test: `tools`)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kit  # noqa: E402


def make_values(exprs, solved):
    """What the kit's Makefile computes for each of `exprs` with SOLVED=`solved`."""
    words = " ".join(f"'{e}'" for e in exprs)
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", kit.ROOT, "--eval",
                        f"kit-test-print: ; @printf '%s\\n' {words}", "kit-test-print", f"SOLVED={solved}"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    return r.stdout.splitlines()


class MadeUpKit(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="kit-test-")
        for rel in ("solutions/lab0/a.cc", "solutions/lab2/a.cc", "solutions/lab2/sub/b.cc", "a.cc",
                    "sub/b.cc", "c.cc", "d.cc", "e.cc",
                    # lab 5 in three steps: d.cc is step 1's, e.cc step 2's, step 3 has c.cc
                    "solutions/lab5/step1/d.cc", "solutions/lab5/step2/e.cc", "solutions/lab5/step3/c.cc"):
            os.makedirs(os.path.dirname(os.path.join(self.root, rel)), exist_ok=True)
            open(os.path.join(self.root, rel), "w").close()
        open(os.path.join(self.root, "solutions", "lab9"), "w").close()  # a file, not an overlay
        os.makedirs(os.path.join(self.root, "solutions", "labx"))

    def tearDown(self):
        shutil.rmtree(self.root)

    def test_solved_lab_list(self):
        self.assertEqual(kit.available_labs(self.root), [0, 2, 5])
        self.assertEqual(kit.solved_labs("all", self.root), [0, 2, 5])
        self.assertEqual(kit.solved_labs("none", self.root), [])
        self.assertEqual(kit.solved_labs("", self.root), [])
        self.assertEqual(kit.solved_labs("8,1, 1 0", self.root), [0, 1, 8])
        self.assertEqual(kit.solved_labs([3, 1, 3], self.root), [1, 3])
        self.assertEqual(kit.available_labs(os.path.join(self.root, "nowhere")), [])

    def test_steps(self):
        r = self.root
        self.assertEqual(kit.lab_steps(5, r), [1, 2, 3])
        self.assertEqual(kit.lab_steps(2, r), [])
        self.assertEqual(kit.solved_labs("0,5.2", r), [0, "5.2"])
        self.assertEqual(kit.solved_labs("5.3", r), [5])  # every step: the whole lab
        self.assertEqual(kit.solved_labs("5.0,2", r), [2])  # no step: nothing of lab 5
        self.assertEqual(kit.solved_labs("5.1,5.2", r), ["5.2"])
        self.assertEqual(kit.solved_labs("5,5.1", r), [5])
        self.assertEqual(kit.solved_labs("2.1", r), [2])  # a lab without steps is one step
        with self.assertRaises(ValueError):
            kit.solved_labs("5.x", r)
        self.assertEqual(kit.overlay_dirs([0, "5.2"], r), ["solutions/lab0", "solutions/lab5/step1",
                                                           "solutions/lab5/step2"])
        self.assertEqual(kit.overlay("e.cc", ["5.1"], r), os.path.join(r, "e.cc"))
        self.assertEqual(kit.overlay("e.cc", ["5.2"], r), os.path.join(r, "solutions/lab5/step2/e.cc"))
        self.assertEqual(kit.overlay("c.cc", ["5.2"], r), os.path.join(r, "c.cc"))
        self.assertEqual(kit.overlay("c.cc", [5], r), os.path.join(r, "solutions/lab5/step3/c.cc"))
        self.assertEqual(kit.overlay_files(5, r), ["c.cc", "d.cc", "e.cc"])
        self.assertEqual(kit.overlay_files(5, r, step=2), ["e.cc"])
        self.assertEqual(kit.item_files("5.2", r), ["d.cc", "e.cc"])
        self.assertEqual(kit.labs_arg(["5.2", 0]), "0,5.2")
        self.assertEqual(kit.build_dir("5.2,0", r), os.path.join(r, "build", "solved-0-5.2"))
        self.assertEqual(kit.solution_step("solutions/lab5/step2/e.cc"), 2)
        self.assertIsNone(kit.solution_step("solutions/lab2/a.cc"))

    def test_build_dir_and_kernel(self):
        self.assertEqual(kit.build_dir("all", self.root), os.path.join(self.root, "build", "solved-0-2-5"))
        self.assertEqual(kit.build_dir("none", self.root), os.path.join(self.root, "build", "solved-none"))
        self.assertEqual(kit.kernel_path("2,0", self.root),
                         os.path.join(self.root, "build", "solved-0-2", "kernel.elf"))
        self.assertEqual(kit.labs_arg([2, 0]), "0,2")
        self.assertEqual(kit.labs_arg([]), "none")

    def test_overlay_rule(self):
        r = self.root
        self.assertEqual(kit.overlay("a.cc", [0, 2], r), os.path.join(r, "solutions/lab0/a.cc"))
        self.assertEqual(kit.overlay("a.cc", [2, 0], r), os.path.join(r, "solutions/lab0/a.cc"))
        self.assertEqual(kit.overlay("a.cc", [2], r), os.path.join(r, "solutions/lab2/a.cc"))
        self.assertEqual(kit.overlay("sub/b.cc", [0, 2], r), os.path.join(r, "solutions/lab2/sub/b.cc"))
        self.assertEqual(kit.overlay("sub/b.cc", [0], r), os.path.join(r, "sub/b.cc"))
        self.assertEqual(kit.overlay("c.cc", [0, 2], r), os.path.join(r, "c.cc"))
        self.assertEqual(kit.overlay("a.cc", [], r), os.path.join(r, "a.cc"))
        self.assertEqual(kit.overlay_files(2, r), ["a.cc", "sub/b.cc"])
        self.assertEqual(kit.overlay_files(7, r), [])

    def test_solution_lab(self):
        self.assertEqual(kit.solution_lab("solutions/lab12/x/y.cc"), 12)
        self.assertIsNone(kit.solution_lab("kernel/solutions/lab1/x.cc"))
        self.assertIsNone(kit.solution_lab("solutions/README.md"))


class SameAsTheMakefile(unittest.TestCase):
    """The real kit: the Makefile's BUILD and overlay function give what kit.py gives."""

    def test_build_dir_and_overlay(self):
        labs = kit.available_labs()  # a student's kit may hold none
        paths = sorted({p for n in labs for p in kit.overlay_files(n)}) + ["kernel/main.cc"]
        settings = ["all", "none", "0,2"] + ([",".join(map(str, labs[1:])), str(labs[-1])] if labs else [])
        settings += [f"0,{n}.1" for n in labs if kit.lab_steps(n)]  # the first step of a lab cut in steps
        for solved in settings:
            got = make_values(["$(BUILD)"] + [f"$(call overlay,{p})" for p in paths], solved)
            self.assertEqual(len(got), len(paths) + 1)
            self.assertEqual(os.path.join(kit.ROOT, got[0]), kit.build_dir(solved), f"SOLVED={solved}")
            for p, want in zip(paths, got[1:]):
                self.assertEqual(kit.overlay(p, kit.solved_labs(solved)), os.path.join(kit.ROOT, want),
                                 f"{p} with SOLVED={solved}")


if __name__ == "__main__":
    unittest.main()
