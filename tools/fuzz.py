#!/usr/bin/env python3
"""Build and run the libFuzzer targets (`make fuzz`, and a fixed number of runs in `make test`):
libos/fuzz/fuzz_response.cc (the master's check of responses, lab 8's check_response) and
fuzz_request.cc (vlibosd's check of requests). clang++-14 with -fsanitize=fuzzer,address,
undefined; each target runs --runs iterations from an empty corpus with a fixed seed.
Prints `fuzz: <target>: <runs> runs, no findings` or the crash and the input that caused it."""
import argparse
import os
import subprocess
import sys
import tempfile

import kit  # tools/kit.py: the solved-lab list and the overlay rule

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {
    "fuzz_response": ["libos/fuzz/fuzz_response.cc", "check_response"],
    "fuzz_request": ["libos/fuzz/fuzz_request.cc", "libos/channel/check_request.cc"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=200000)
    ap.add_argument("--solved", default="all")
    a = ap.parse_args()
    solved = kit.solved_labs(a.solved)
    out = os.path.join(ROOT, "build", "fuzz")
    os.makedirs(out, exist_ok=True)
    failed = 0
    for name, (main_src, extra) in TARGETS.items():
        srcs = [os.path.join(ROOT, main_src)]
        srcs.append(kit.overlay("libos/channel/check_response.cc", solved) if extra == "check_response"
                    else os.path.join(ROOT, extra))
        exe = os.path.join(out, name)
        cmd = ["clang++-14", "-std=c++20", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
               "-fno-sanitize-recover=undefined", f"-I{ROOT}", "-o", exe] + srcs
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"fuzz: {name}: build failed:\n{r.stderr}")
            failed += 1
            continue
        with tempfile.TemporaryDirectory() as corpus:
            r = subprocess.run([exe, f"-runs={a.runs}", "-seed=1", "-max_len=20000", "-print_final_stats=1",
                                f"-artifact_prefix={out}/", corpus], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"fuzz: {name}: FINDING (exit {r.returncode}):\n" + "\n".join(r.stderr.splitlines()[-30:]))
            failed += 1
        else:
            cov = [l for l in r.stderr.splitlines() if l.startswith("stat::number_of_executed_units")]
            print(f"fuzz: {name}: {a.runs} runs, no findings ({cov[0].split(':')[-1].strip() if cov else '?'} executed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
