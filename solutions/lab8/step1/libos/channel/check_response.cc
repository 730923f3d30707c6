// Lab 8 solution: the master's check of every response (rules in validate.h).
#include "libos/channel/validate.h"

namespace vlibos {

int64_t check_response(const Request& sent, const Response& got) {
    if (got.seq != sent.seq || got.op != sent.op || got.buffer != sent.buffer || got.flags != 0)
        return -CE_PROTO;
    if (got.result < -4095 || got.len > BUFFER_BYTES) return -CE_PROTO;
    if (got.result < 0) return got.len == 0 ? 0 : -CE_PROTO; // an error carries no data
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
    default:      // NOP, CLOSE, LSEEK, UNLINK, MKDIR: a number, no data
        return got.len == 0 ? 0 : -CE_PROTO;
    }
}

} // namespace vlibos
