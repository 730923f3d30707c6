"""What the grader flags in a student's files before building them.

Two kinds of findings, each with the file and line:
  - refused (the submission is not built): reaching outside the kit (an #include or
    __has_include with an absolute path, a `..` escape or a path into solutions/ or autograder/,
    `.incbin`, `#embed`; the student's view of the kit is what stops these, the lint says why
    the build failed), and calling or defining the kit's test reporting (report_test() and its
    kin, KTEST, Catch2's TEST_CASE): in ring 0 one call would record a pass the tests never gave;
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
# Code no lab file may contain (comments are not code): the kit's test reporting, called or
# defined. Refused like a file that reaches outside the kit.
REPORTING = re.compile(r'\b(?:report_test|report_metric|report_grade_\w+|report_panic\w*|KTEST|TEST_CASE|'
                       r'SECTION|SUCCEED)\s*\(')

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


def strip_comments(text):
    """`text` with its // and /* */ comments blanked (newlines kept, so line numbers hold);
    string and character literals are kept as they are, so a "/*" inside one hides nothing."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def lint(files):
    """files: {relative path: text}. Returns (refused, suspicious): lists of
    "path:line: message"."""
    outside, suspicious = [], []
    for path, text in sorted(files.items()):
        # Comments are not code: "a VM exit (SDM ...)" calls nothing. What reaches outside is
        # looked for in the text as it is, comments included (the view refuses it anyway).
        uncommented = strip_comments(text).splitlines()
        for no, line in enumerate(text.splitlines(), 1):
            raw = line.split("//", 1)[0]
            code = uncommented[no - 1] if no <= len(uncommented) else raw
            for rx, kind in OUTSIDE:
                m = rx.search(raw)
                if m and _outside(kind, m.group(1) if m.groups() else ""):
                    outside.append(f"{path}:{no}: {kind} reaches outside the kit: {line.strip()[:100]}")
            if REPORTING.search(code):
                outside.append(f"{path}:{no}: calls the kit's test reporting (only the kit's tests may): "
                               f"{line.strip()[:100]}")
            for rx, what in SUSPICIOUS:
                if rx.search(code):
                    suspicious.append(f"{path}:{no}: {what}: {line.strip()[:100]}")
    return outside, suspicious
