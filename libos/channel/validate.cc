#include "libos/channel/validate.h"

namespace vlibos {

namespace {

bool is_path_op(uint16_t op) {
    return op == OP_OPEN || op == OP_STAT || op == OP_UNLINK || op == OP_MKDIR || op == OP_READDIR;
}

/// A C string that fills exactly `len` bytes: non-empty, NUL at len - 1 and nowhere before.
bool exact_string(const uint8_t* p, uint32_t len) {
    if (len < 2 || p[len - 1] != 0)
        return false;
    for (uint32_t i = 0; i + 1 < len; ++i)
        if (p[i] == 0)
            return false;
    return true;
}

} // namespace

int64_t check_request(const Request& r, const uint8_t* payload) {
    if (r.flags != 0 || r.buffer >= BUFFERS || r.len > BUFFER_BYTES)
        return -CE_PROTO;
    if (r.op >= OP_COUNT)
        return -CE_NOSYS;
    if (is_path_op(r.op)) {
        if (r.len > PATH_MAX_BYTES)
            return -CE_NAMETOOLONG;
        if (!exact_string(payload, r.len))
            return -CE_INVAL;
    }
    switch (r.op) {
    case OP_OPEN:
        if (r.args[0] & ~OPEN_FLAGS_ALLOWED || r.args[1] < 0 || r.args[1] > 07777)
            return -CE_INVAL;
        return 0;
    case OP_MKDIR:
        return r.args[0] < 0 || r.args[0] > 07777 ? -CE_INVAL : 0;
    case OP_READDIR:
        return r.args[0] < 0 ? -CE_INVAL : 0;
    case OP_CLOSE:
        return r.args[0] < 0 ? -CE_BADF : 0;
    case OP_READ:
        if (r.args[0] < 0)
            return -CE_BADF;
        return r.args[1] < 0 || r.args[1] > BUFFER_BYTES ? -CE_INVAL : 0;
    case OP_WRITE:
        if (r.args[0] < 0)
            return -CE_BADF;
        return r.args[1] != int64_t(r.len) ? -CE_INVAL : 0;
    case OP_LSEEK:
        if (r.args[0] < 0)
            return -CE_BADF;
        return r.args[2] < 0 || r.args[2] > 2 ? -CE_INVAL : 0;
    case OP_RUN:
        return exact_string(payload, r.len) ? 0 : -CE_INVAL;
    default: // NOP, STAT, UNLINK: nothing beyond the path
        return 0;
    }
}

int64_t check_response(const Request& sent, const Response& got) {
    if (got.seq != sent.seq || got.op != sent.op || got.buffer != sent.buffer || got.flags != 0)
        return -CE_PROTO;
    if (got.result < -4095 || got.len > BUFFER_BYTES)
        return -CE_PROTO;
    if (got.result < 0)
        return got.len == 0 ? 0 : -CE_PROTO; // an error carries no data
    switch (sent.op) {
    case OP_READ:
        return got.result <= sent.args[1] && uint64_t(got.result) == got.len ? 0 : -CE_PROTO;
    case OP_WRITE:
        return got.result <= int64_t(sent.len) && got.len == 0 ? 0 : -CE_PROTO;
    case OP_OPEN:
        return got.len == 0 && got.result < (1 << 20) ? 0 : -CE_PROTO;
    case OP_STAT:
        return got.result == 0 && got.len == sizeof(StatResult) ? 0 : -CE_PROTO;
    case OP_READDIR:
    case OP_RUN:
        return 0; // data up to BUFFER_BYTES, checked above
    default: // NOP, CLOSE, LSEEK, UNLINK, MKDIR: a number, no data
        return got.len == 0 ? 0 : -CE_PROTO;
    }
}

} // namespace vlibos
