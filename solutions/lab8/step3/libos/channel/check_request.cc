// Lab 8, step 3: the daemon's check of every request (rules in validate.h).
#include "libos/channel/validate.h"

namespace vlibos {

namespace {

bool is_path_op(uint16_t op) {
    return op == OP_OPEN || op == OP_STAT || op == OP_UNLINK || op == OP_MKDIR || op == OP_READDIR;
}

/// A C string that fills exactly `len` bytes: non-empty, NUL at len - 1 and nowhere before.
bool exact_string(const uint8_t* p, uint32_t len) {
    if (len < 2 || p[len - 1] != 0) return false;
    for (uint32_t i = 0; i + 1 < len; ++i)
        if (p[i] == 0) return false;
    return true;
}

} // namespace

int64_t check_request(const Request& r, uint32_t caller, const uint8_t* payload) {
    if (r.flags != 0 || !caller_owns_buffer(caller, r.buffer) || r.len > BUFFER_BYTES)
        return -CE_PROTO;
    if (r.op >= OP_COUNT) return -CE_NOSYS;
    if (is_path_op(r.op)) {
        if (r.len > PATH_MAX_BYTES) return -CE_NAMETOOLONG;
        if (!exact_string(payload, r.len)) return -CE_INVAL;
    }
    switch (r.op) {
    case OP_OPEN:
        if (r.args[0] & ~OPEN_FLAGS_ALLOWED || r.args[1] < 0 || r.args[1] > 07777) return -CE_INVAL;
        return 0;
    case OP_MKDIR:
        return r.args[0] < 0 || r.args[0] > 07777 ? -CE_INVAL : 0;
    case OP_READDIR:
        return r.args[0] < 0 ? -CE_INVAL : 0;
    case OP_CLOSE:
        return r.args[0] < 0 ? -CE_BADF : 0;
    case OP_READ:
        if (r.args[0] < 0) return -CE_BADF;
        return r.args[1] < 0 || r.args[1] > BUFFER_BYTES ? -CE_INVAL : 0;
    case OP_WRITE:
        if (r.args[0] < 0) return -CE_BADF;
        return r.args[1] != int64_t(r.len) ? -CE_INVAL : 0;
    case OP_LSEEK:
        if (r.args[0] < 0) return -CE_BADF;
        return r.args[2] < 0 || r.args[2] > 2 ? -CE_INVAL : 0;
    case OP_RUN:
        return exact_string(payload, r.len) ? 0 : -CE_INVAL;
    case OP_SOCKET:
        return r.args[0] == 1 || r.args[0] == 2 ? 0 : -CE_ACCES; // SOCK_STREAM, SOCK_DGRAM
    case OP_BIND:
    case OP_CONNECT:
        if (r.args[0] < 0) return -CE_BADF;
        return r.args[1] > 0 && r.args[1] < 65536 ? 0 : -CE_INVAL;
    case OP_LISTEN:
        if (r.args[0] < 0) return -CE_BADF;
        return r.args[1] >= 0 && r.args[1] <= 128 ? 0 : -CE_INVAL;
    case OP_ACCEPT:
        return r.args[0] < 0 ? -CE_BADF : 0;
    default: // NOP, STAT, UNLINK: nothing beyond the path
        return 0;
    }
}

} // namespace vlibos
