#include "test/report.h"

#include "console/console.h"
#include "lib/string.h"

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
} // namespace

void report_test(const char* name, bool pass, const char* reason) {
    Line l;
    l.add("@@ test=");
    l.add(name);
    l.add(pass ? " result=pass" : " result=fail");
    if (!pass && reason) {
        l.add(" reason=");
        l.add_quoted(reason);
    }
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
