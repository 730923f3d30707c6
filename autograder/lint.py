"""What the grader flags in a student's files before building them.

Two kinds of findings, each with the file and line:
  - reaching outside the kit: an #include or __has_include with an absolute path, a `..` escape
    or a path into solutions/ or autograder/, `.incbin`, `#embed`. The student's view of the kit
    is what stops these (such a file simply is not there); the lint says why the build failed.
  - things lab code has no business doing, shown to the student and the instructor: writing
    I/O ports, printing the grader's `@@` result lines, reading the kernel command line or a
    process's arguments, defining constructors, ending or forking the process. Student code
    runs in ring 0 (in-kernel tests) or in the test process (host tests) and could still cheat
    on purpose; the lint makes such code visible, it does not make cheating impossible.
"""
import re

OUTSIDE = [
    (re.compile(r'^\s*#\s*include\s*[<"]([^>"]*)[>"]'), "include"),
    (re.compile(r'__has_include\s*\(\s*[<"]([^>"]*)[>"]'), "__has_include"),
    (re.compile(r'^\s*#\s*(?:embed|include_next)\b.*'), "embed"),
    (re.compile(r'\.incbin\b'), "incbin"),
]
SUSPICIOUS = [
    (re.compile(r'\b(?:outb|outw|outl|outsb|outsw|outsl)\b|"\s*out[bwl]?\s'), "writes an I/O port"),
    (re.compile(r'@@'), "prints the grader's `@@` result marker"),
    (re.compile(r'\bg_cmdline\b|\bcmdline\b|/proc/self|\bargv\b|\benviron\b|\bgetenv\b'),
     "reads the command line, arguments or environment"),
    (re.compile(r'\bconstructor\b|\.init_array|\.ctors|init_priority|\bdestructor\b|\.fini_array'),
     "defines a constructor or destructor"),
    (re.compile(r'\b(?:_exit|_Exit|exit|quick_exit|abort|machine_exit|fork|vfork|execve?|execl\w*|execv\w*|'
                r'system|popen|kill|raise|syscall)\s*\('), "ends, forks or signals the process"),
    (re.compile(r'\b(?:fopen|open|creat|unlink|rename|remove)\s*\(|\bstd::(?:ofstream|ifstream|fstream)\b'),
     "opens files"),
]


def _outside(kind, path):
    if kind in ("embed", "incbin"):
        return True
    return path.startswith("/") or ".." in path.split("/") or re.match(r"(solutions|autograder)/", path)


def lint(files):
    """files: {relative path: text}. Returns (reaching_outside, suspicious): lists of
    "path:line: message"."""
    outside, suspicious = [], []
    for path, text in sorted(files.items()):
        for no, line in enumerate(text.splitlines(), 1):
            code = line.split("//", 1)[0]
            for rx, kind in OUTSIDE:
                m = rx.search(code)
                if m and _outside(kind, m.group(1) if m.groups() else ""):
                    outside.append(f"{path}:{no}: {kind} reaches outside the kit: {line.strip()[:100]}")
            for rx, what in SUSPICIOUS:
                if rx.search(code):
                    suspicious.append(f"{path}:{no}: {what}: {line.strip()[:100]}")
    return outside, suspicious
