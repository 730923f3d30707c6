#!/usr/bin/env python3
"""Architectural bits and MSRs by name, never by number.

Every architectural bit and MSR has one name, with the SDM's spelling (kernel/core/arch/ for
MSRs, control registers, CPUID flags, APIC bits and vectors; hypervisor/core/vmx_bits.h for the
VMX controls). This check greps C, C++ and assembly sources for what bypasses those names:

  bit     a bare shift of 1 used as a bit, `(1u << 9)`, `1ull << 63`, `uint64_t{1} << n`, outside
          the statement that names it (`constexpr uint32_t X = 1u << 9;`, `#define X (1 << 9)`,
          an enumerator `X = 1 << 17,`, a KERN_ARCH_CONST line);
  msr     an MSR number (one the registry kernel/core/arch/msr.h names, in the 0xC00000xx range,
          or in the x2APIC range 0x800-0x8FF) on a line that talks about MSRs (rdmsr, wrmsr,
          "msr", "MSR_", "IA32_"), outside the registry.

A small allow-list covers shifts that are sizes, not bits (`1 << 20` bytes, `1ull << 30`),
masks computed from a width (`(1ull << bits) - 1`) and shifts by a variable. Prints each
offender as file:line: kind: text, then the count; exits 1 if there is any.

    python3 tools/arch_bits_check.py [paths...]     (default: hypervisor kernel libos)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PATHS = ["hypervisor", "kernel", "libos"]
EXTENSIONS = (".cc", ".h", ".S", ".inc", ".def")
REGISTRY = "kernel/core/arch/msr.h"

# 1 << n with a literal n, in any spelling of 1.
ONE_SHIFT = re.compile(
    r"(?<![\w.])(?:\(\s*)?(?:1|1u|1U|1ul|1UL|1ull|1ULL|uint64_t\{1\}|uint32_t\{1\}|uint64_t\(1\))"
    r"\s*<<\s*(\d+)\b")
# A statement that names a constant: constexpr/const declarations, #define, enumerators,
# KERN_ARCH_CONST, and assembler .equ/.set.
NAMING = re.compile(
    r"^\s*(?:(?:static\s+|inline\s+)*constexpr\b|(?:static\s+)?const\s+\w|#\s*define\s+\w+|"
    r"KERN_ARCH_CONST\s*\(|\.(?:equ|set)\s+\w+|[A-Z][A-Z0-9_]*\s*=)")
# Declarations that may continue on the next lines (until their ';').
CONTINUED = re.compile(r"^\s*(?:(?:static\s+|inline\s+)*constexpr\b|(?:static\s+)?const\s+\w)")
# Shifts that are sizes or widths, not bits (and the reason).
SIZE_SHIFTS = {
    10: "KiB", 12: "4 KiB page", 20: "MiB", 21: "2 MiB page", 30: "GiB", 32: "4 GiB",
    39: "512 GiB", 48: "256 TiB", 52: "MAXPHYADDR limit",
}
WIDTH_MASK = re.compile(r"<<\s*\d+\)\s*-\s*1")  # (1ull << 52) - 1: a mask of the low bits
SIZE_CONTEXT = re.compile(r"\b(size|bytes|len|ram|MiB|GiB|KiB|limit|page|PAGE|%)\b|[%*/]\s*\(",
                          re.IGNORECASE)
MSR_CONTEXT = re.compile(r"rdmsr|wrmsr|\bmsr|MSR_|IA32_", re.IGNORECASE)
HEX = re.compile(r"\b0[xX]([0-9A-Fa-f]+)\b")

# Files that are the registries themselves: their job is to hold the numbers.
REGISTRIES = {
    "kernel/core/arch/msr.h", "kernel/core/arch/control_regs.h", "kernel/core/arch/cpuid_bits.h",
    "kernel/core/arch/apic_bits.h", "kernel/core/arch/vectors.h", "kernel/core/arch/arch_const.h",
    "hypervisor/core/vmx_bits.h",
}


def registry_msrs():
    """The MSR numbers the registry names."""
    nums = set()
    with open(os.path.join(ROOT, REGISTRY)) as f:
        for m in re.finditer(r"KERN_ARCH_CONST\(\s*uint32_t\s*,\s*\w+\s*,\s*0[xX]([0-9A-Fa-f]+)",
                             f.read()):
            nums.add(int(m.group(1), 16))
    return nums


def strip_comment(line, in_block):
    """The code of `line` without comments; and whether a /* */ block continues."""
    out, i = "", 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return out, True
            i, in_block = end + 2, False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block, i = True, i + 2
        elif line[i] == '"':  # skip string literals
            end = i + 1
            while end < len(line) and line[end] != '"':
                end += 2 if line[end] == "\\" else 1
            out += '""'
            i = end + 1
        else:
            out += line[i]
            i += 1
    return out, in_block


def is_msr_number(n, known):
    return n in known or 0xC0000080 <= n <= 0xC00001FF or 0x800 <= n <= 0x8FF


def check_file(rel, known):
    """Offenders in one file: (line number, kind, text)."""
    offenders = []
    with open(os.path.join(ROOT, rel), errors="replace") as f:
        lines = f.read().split("\n")
    in_block = False
    naming = False  # inside a statement that names a constant (until its ';' or ',')
    for no, raw in enumerate(lines, 1):
        code, in_block = strip_comment(raw, in_block)
        if not code.strip():
            continue
        if not naming and NAMING.match(code):
            naming = "multi" if CONTINUED.match(code) else "line"
        if rel not in REGISTRIES:
            for m in ONE_SHIFT.finditer(code):
                if naming:
                    continue
                n = int(m.group(1))
                tail = code[m.start():]
                if WIDTH_MASK.match(tail[tail.find("<<"):]) or WIDTH_MASK.search(code):
                    continue
                if n in SIZE_SHIFTS and SIZE_CONTEXT.search(code):
                    continue
                offenders.append((no, "bit", raw.strip()))
                break
            # An MSR number outside the registry is an offender even where it is named: that
            # name is a second one.
            if MSR_CONTEXT.search(code):
                if any(is_msr_number(int(m.group(1), 16), known) for m in HEX.finditer(code)):
                    offenders.append((no, "msr", raw.strip()))
        # A declaration that names a constant ends at its ';'; a #define, an .equ, an
        # enumerator or a KERN_ARCH_CONST at the end of its line.
        if naming and (";" in code or naming == "line"):
            naming = False
    return offenders


def sources(paths):
    for p in paths:
        full = os.path.join(ROOT, p)
        if os.path.isfile(full):
            yield p
            continue
        for d, dirs, files in os.walk(full):
            dirs[:] = sorted(x for x in dirs if x != "tests")  # host tests poke at raw values
            for name in sorted(files):
                if name.endswith(EXTENSIONS):
                    yield os.path.relpath(os.path.join(d, name), ROOT)


def main(argv):
    paths = argv[1:] or DEFAULT_PATHS
    known = registry_msrs()
    count = 0
    for rel in sources(paths):
        for no, kind, text in check_file(rel, known):
            print(f"{rel}:{no}: {kind}: {text}")
            count += 1
    print(f"arch_bits_check: {count} offender(s)")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
