// The grader's table of expected tests: which results a graded run must tell, and in what order.
//
// When the autograder runs the kernel it passes a nonce on the command line (`grade=<nonce>`) and
// the lab's test names, one per line, in a boot module named `grade-tests`. Every result is then
// told in a line that carries the nonce, in the table's order, between a begin and an end marker
// (test/report.cc). A result reported early is held until every test before it has reported, so
// the framed lines always come in table order; the grader ignores framed lines out of order.
//
// This class is the pure part: the table and the bookkeeping of what was reported and told.
// It allocates nothing and never fails on hostile input: a malformed list leaves it empty.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// The expected tests of a graded run, in order, with what each reported.
class TestTable {
  public:
    static constexpr size_t MAX_TESTS = 32;   ///< most tests a lab may list
    static constexpr size_t MAX_NAME = 64;    ///< including the terminating NUL
    static constexpr size_t MAX_REASON = 120; ///< including the terminating NUL

    /// What a test has reported so far.
    enum class Outcome : uint8_t { pending, pass, fail };

    /// Load the names: `text` holds [a-z0-9_] names separated by '\n' (a final '\n' optional).
    /// Returns false, and leaves the table empty, if a name is empty, too long, has another
    /// character, is repeated, or there are more than MAX_TESTS.
    [[nodiscard]] bool load(const char* text, size_t len);

    /// How many tests are listed (0: not loaded, or malformed).
    size_t size() const { return m_count; }
    /// Test `i`'s name (i < size()).
    const char* name(size_t i) const { return m_tests[i].name; }
    /// What test `i` reported.
    Outcome outcome(size_t i) const { return m_tests[i].outcome; }
    /// Why test `i` failed ("" if it passed or has not reported).
    const char* reason(size_t i) const { return m_tests[i].reason; }

    /// Record the result of test `name`. The first report of a test counts; a later one, or a
    /// name not in the table, is refused (returns false).
    bool record(const char* name, bool pass, const char* reason);

    /// The next result that may be told now: the first untold test, if it has reported. Marks
    /// it told. Returns -1 if there is none (the next test in order has not reported yet).
    int next_in_order();
    /// For a run that is ending early (a panic): the first untold test that has reported,
    /// skipping tests that have not. Marks it told. -1 if none.
    int next_reported();
    /// For a run that ends normally: the first untold test; a test that never reported becomes
    /// a failure ("not reported by the end of the run"). Marks it told. -1 if none.
    int next_untold();

  private:
    struct Entry {
        char name[MAX_NAME];
        char reason[MAX_REASON];
        Outcome outcome;
        bool told;
    };
    Entry m_tests[MAX_TESTS] = {};
    size_t m_count = 0;
};

} // namespace kern
