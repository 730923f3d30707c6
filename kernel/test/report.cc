#include "test/report.h"

#include "console/console.h"
#include "core/test/test_table.h"
#include "lib/string.h"
#include "sync/thread_lock.h"

namespace kern {

namespace {
// Builds one line in a buffer so it reaches the console in a single write (no interleaving
// with another CPU's output).
struct Line {
    char buf[256];
    size_t n = 0;

    void add(const char* s) {
        while (*s && n < sizeof buf - 2)
            buf[n++] = *s++;
    }
    // Quoted value: quotes and newlines in `s` are replaced so the line stays parseable.
    void add_quoted(const char* s) {
        add("\"");
        for (; *s && n < sizeof buf - 3; ++s)
            buf[n++] = (*s == '"' || *s == '\n' || *s == '\r') ? '\'' : *s;
        add("\"");
    }
    void add_u64(uint64_t v) {
        char d[21];
        int i = 0;
        do {
            d[i++] = char('0' + v % 10);
            v /= 10;
        } while (v);
        while (i && n < sizeof buf - 2)
            buf[n++] = d[--i];
    }
    void emit() {
        buf[n++] = '\n';
        console_write(buf, n);
    }
};

// A graded run (report_grade_begin): the nonce and the table of expected tests. Reporters on
// any CPU record into the table under the lock; the framed lines go out in table order, printed
// under it. A ThreadLock: interrupts stay on while a reporter prints (a test's lines with their
// reasons took 64,000-105,000 cycles to print, and with interrupts off a real-time thread on the
// reporter's CPU woke that much late).
constexpr size_t NONCE_LEN = 16;
struct Grade {
    bool active = false;
    bool ended = false;
    char nonce[NONCE_LEN + 1] = {};
    TestTable table;
    ThreadLock lock;
};
Grade g_grade;

void add_result(Line& l, const char* name, bool pass, const char* reason) {
    l.add("test=");
    l.add(name);
    l.add(pass ? " result=pass" : " result=fail");
    if (!pass && reason && *reason) {
        l.add(" reason=");
        l.add_quoted(reason);
    }
}

void start_framed(Line& l) {
    l.add("@@ ");
    l.add(g_grade.nonce);
    l.add(" ");
}

void tell(int i) {
    Line l;
    start_framed(l);
    add_result(l, g_grade.table.name(size_t(i)),
               g_grade.table.outcome(size_t(i)) == TestTable::Outcome::pass,
               g_grade.table.reason(size_t(i)));
    l.emit();
}
} // namespace

void report_test(const char* name, bool pass, const char* reason) {
    Line l;
    l.add("@@ ");
    add_result(l, name, pass, reason);
    l.emit();
    if (!g_grade.active) return;
    ThreadLockGuard guard(g_grade.lock);
    if (g_grade.ended) return;
    g_grade.table.record(name, pass, reason);
    for (int i; (i = g_grade.table.next_in_order()) >= 0;)
        tell(i);
}

bool report_grade_begin(const char* nonce, const char* tests, size_t len) {
    size_t n = 0;
    while (nonce[n] &&
           ((nonce[n] >= '0' && nonce[n] <= '9') || (nonce[n] >= 'a' && nonce[n] <= 'f')))
        ++n;
    if (n != NONCE_LEN || nonce[n] || !g_grade.table.load(tests, len)) return false;
    memcpy(g_grade.nonce, nonce, NONCE_LEN + 1);
    g_grade.active = true;
    Line l;
    start_framed(l);
    l.add("begin tests=");
    l.add_u64(g_grade.table.size());
    l.emit();
    return true;
}

void report_grade_end() {
    if (!g_grade.active || g_grade.ended) return;
    // A panic ended the report already (report_panic), so this CPU does not hold the lock.
    ThreadLockGuard guard(g_grade.lock);
    g_grade.ended = true;
    for (int i; (i = g_grade.table.next_untold()) >= 0;)
        tell(i);
    Line l;
    start_framed(l);
    l.add("end");
    l.emit();
}

void report_metric(const char* name, uint64_t value, const char* unit) {
    Line l;
    l.add("@@ metric=");
    l.add(name);
    l.add(" value=");
    l.add_u64(value);
    l.add(" unit=");
    l.add(unit);
    l.emit();
}

void report_panic(const char* what) {
    if (g_grade.active && !g_grade.ended) {
        // Tell what reported before the panic, then the panic, framed; no end marker.
        g_grade.ended = true;
        for (int i; (i = g_grade.table.next_reported()) >= 0;)
            tell(i);
        Line f;
        start_framed(f);
        f.add("panic reason=");
        f.add_quoted(what);
        f.emit();
    }
    Line l;
    l.add("@@ panic reason=");
    l.add_quoted(what);
    l.emit();
}

void report_exit(int code) {
    Line l;
    l.add("@@ exit code=");
    l.add_u64(uint64_t(code));
    l.emit();
}

void report_line(const char* text) {
    Line l;
    l.add("@@ ");
    l.add(text);
    l.emit();
}

} // namespace kern
