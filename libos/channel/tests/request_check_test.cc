// The daemon's check of requests (check_request, lab 8 step 3): every field it acts on.
#include "libos/channel/tests/messages.h"
#include "libos/channel/validate.h"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

using namespace vlibos;

using vlibos::test::Msg;

namespace {
int64_t check(const Msg& m, uint32_t caller = 0) {
    return check_request(m.r, caller, m.payload.data());
}
} // namespace

TEST_CASE("well-formed requests pass") {
    Msg open(OP_OPEN, "/etc/hostname");
    open.r.args[0] = 0; // O_RDONLY
    CHECK(check(open) == 0);
    open.r.args[0] = 01 | 0100 | 01000; // O_WRONLY | O_CREAT | O_TRUNC
    open.r.args[1] = 0644;
    CHECK(check(open) == 0);
    Msg nop(OP_NOP);
    CHECK(check(nop) == 0);
    Msg rd(OP_READ);
    rd.r.args[1] = BUFFER_BYTES;
    CHECK(check(rd) == 0);
    Msg wr(OP_WRITE);
    wr.r.len = 100;
    wr.r.args[1] = 100;
    CHECK(check(wr) == 0);
    Msg run(OP_RUN, "echo hi");
    CHECK(check(run) == 0);
}

TEST_CASE("malformed requests get a defined error") {
    Msg bad(OP_NOP);
    bad.r.flags = 1;
    CHECK(check(bad) == -CE_PROTO);
    Msg buf(OP_NOP);
    buf.r.buffer = BUFFERS; // stale or forged buffer index
    CHECK(check(buf) == -CE_PROTO);
    Msg other(OP_NOP);
    other.r.buffer = BUFFERS_PER_CALLER; // caller slot 1's first buffer
    CHECK(check(other, 0) == -CE_PROTO);
    CHECK(check(other, 1) == 0);
    CHECK(check(other, 2) == -CE_PROTO);
    other.r.buffer = BUFFERS_PER_CALLER - 1; // caller slot 0's last
    CHECK(check(other, 0) == 0);
    CHECK(check(other, 1) == -CE_PROTO);
    CHECK(check(other, CALLERS) == -CE_PROTO); // no such caller slot
    Msg len(OP_WRITE);
    len.r.len = BUFFER_BYTES + 1;
    CHECK(check(len) == -CE_PROTO);
    Msg op(OP_COUNT);
    CHECK(check(op) == -CE_NOSYS);
    Msg op2(0xFFFF);
    CHECK(check(op2) == -CE_NOSYS);
}

TEST_CASE("paths: too long, not terminated, empty, with a NUL inside") {
    Msg longp(OP_STAT, "/" + std::string(PATH_MAX_BYTES, 'a'));
    CHECK(check(longp) == -CE_NAMETOOLONG);
    Msg unterminated(OP_STAT, "/etc/passwd");
    unterminated.r.len -= 1; // the NUL is outside len
    CHECK(check(unterminated) == -CE_INVAL);
    Msg empty(OP_UNLINK);
    empty.r.len = 1; // just a NUL
    CHECK(check(empty) == -CE_INVAL);
    Msg zero(OP_MKDIR);
    zero.r.len = 0;
    CHECK(check(zero) == -CE_INVAL);
    Msg inner(OP_OPEN, "/etc/x");
    inner.payload[2] = 0;
    CHECK(check(inner) == -CE_INVAL);
}

TEST_CASE("arguments: flags, modes, counts, fds, whence") {
    Msg mkdir(OP_MKDIR, "/tmp/d");
    mkdir.r.args[0] = 0755;
    CHECK(check(mkdir) == 0);
    mkdir.r.args[0] = 07777;
    CHECK(check(mkdir) == 0);
    mkdir.r.args[0] = 010000;
    CHECK(check(mkdir) == -CE_INVAL);
    mkdir.r.args[0] = -1;
    CHECK(check(mkdir) == -CE_INVAL);
    Msg open(OP_OPEN, "/tmp/x");
    open.r.args[0] = 04000000; // O_PATH is not allowed
    CHECK(check(open) == -CE_INVAL);
    open.r.args[0] = 0;
    open.r.args[1] = 010000;
    CHECK(check(open) == -CE_INVAL);
    Msg rd(OP_READ);
    rd.r.args[1] = -1;
    CHECK(check(rd) == -CE_INVAL);
    rd.r.args[1] = BUFFER_BYTES + 1;
    CHECK(check(rd) == -CE_INVAL);
    rd.r.args[1] = 1;
    rd.r.args[0] = -3;
    CHECK(check(rd) == -CE_BADF);
    Msg wr(OP_WRITE);
    wr.r.len = 10;
    wr.r.args[1] = 11;
    CHECK(check(wr) == -CE_INVAL);
    Msg seek(OP_LSEEK);
    seek.r.args[2] = 3;
    CHECK(check(seek) == -CE_INVAL);
    Msg close(OP_CLOSE);
    close.r.args[0] = -1;
    CHECK(check(close) == -CE_BADF);
    Msg dir(OP_READDIR, "/");
    dir.r.args[0] = -1;
    CHECK(check(dir) == -CE_INVAL);
}
