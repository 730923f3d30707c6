// Lab 8: the master's check of responses (check_response): a response that does not answer
// what was asked, or claims what the operation cannot produce, is refused.
#include "libos/channel/tests/messages.h"
#include "libos/channel/validate.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace vlibos;

using vlibos::test::answer;
using vlibos::test::Msg;

TEST_CASE("responses must answer the request they claim to") {
    Msg rd(OP_READ);
    rd.r.args[1] = 100;
    CHECK(check_response(rd.r, answer(rd.r, 100, 100)) == 0);
    CHECK(check_response(rd.r, answer(rd.r, 0, 0)) == 0); // end of file
    Response stale = answer(rd.r, 10, 10);
    stale.seq = 6;
    CHECK(check_response(rd.r, stale) == -CE_PROTO);
    Response other = answer(rd.r, 10, 10);
    other.buffer = 4;
    CHECK(check_response(rd.r, other) == -CE_PROTO);
    Response op = answer(rd.r, 10, 10);
    op.op = OP_WRITE;
    CHECK(check_response(rd.r, op) == -CE_PROTO);
    CHECK(check_response(rd.r, answer(rd.r, 101, 101)) == -CE_PROTO); // more than asked
    CHECK(check_response(rd.r, answer(rd.r, 50, 60)) == -CE_PROTO);   // len != result
    CHECK(check_response(rd.r, answer(rd.r, 10, BUFFER_BYTES + 1)) == -CE_PROTO);
    CHECK(check_response(rd.r, answer(rd.r, -2, 0)) == 0);            // -ENOENT
    CHECK(check_response(rd.r, answer(rd.r, -2, 5)) == -CE_PROTO);    // an error with data
    CHECK(check_response(rd.r, answer(rd.r, -5000, 0)) == -CE_PROTO); // not an errno
    CHECK(check_response(rd.r, answer(rd.r, -4095, 0)) == 0);         // the last errno
    CHECK(check_response(rd.r, answer(rd.r, -4096, 0)) == -CE_PROTO); // one beyond
}

TEST_CASE("responses must be possible for their operation") {
    Msg wr(OP_WRITE);
    wr.r.len = 20;
    wr.r.args[1] = 20;
    CHECK(check_response(wr.r, answer(wr.r, 20)) == 0);
    CHECK(check_response(wr.r, answer(wr.r, 21)) == -CE_PROTO);
    CHECK(check_response(wr.r, answer(wr.r, 5, 5)) == -CE_PROTO);
    Msg st(OP_STAT, "/");
    CHECK(check_response(st.r, answer(st.r, 0, sizeof(StatResult))) == 0);
    CHECK(check_response(st.r, answer(st.r, 0, 3)) == -CE_PROTO);
    Msg op(OP_OPEN, "/x");
    CHECK(check_response(op.r, answer(op.r, 3)) == 0);
    CHECK(check_response(op.r, answer(op.r, 3, 8)) == -CE_PROTO);
    Msg nop(OP_NOP);
    CHECK(check_response(nop.r, answer(nop.r, 0)) == 0);
    CHECK(check_response(nop.r, answer(nop.r, 0, 1)) == -CE_PROTO);
    Response flagged = answer(nop.r, 0);
    flagged.flags = 2;
    CHECK(check_response(nop.r, flagged) == -CE_PROTO);
}
