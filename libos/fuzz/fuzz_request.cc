// libFuzzer target: vlibosd's check of a request from the master (check_request) on arbitrary
// bytes: a request slot followed by its payload. Whatever it accepts must be safe for
// Server::serve() (a buffer index in range, a payload that fits, a path that is one
// NUL-terminated string within PATH_MAX_BYTES, a read count within a buffer).
#include "libos/channel/validate.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace vlibos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < SLOT_BYTES) return 0;
    Request r;
    std::memcpy(&r, data, SLOT_BYTES);
    std::vector<uint8_t> payload(BUFFER_BYTES, 0);
    std::memcpy(payload.data(), data + SLOT_BYTES,
                std::min<size_t>(size - SLOT_BYTES, BUFFER_BYTES));
    if (check_request(r, payload.data()) != 0) return 0;
    bool safe = r.buffer < BUFFERS && r.len <= BUFFER_BYTES && r.op < OP_COUNT;
    bool path_op = r.op == OP_OPEN || r.op == OP_STAT || r.op == OP_UNLINK || r.op == OP_MKDIR ||
                   r.op == OP_READDIR;
    if (path_op || r.op == OP_RUN)
        safe &= r.len >= 2 && payload[r.len - 1] == 0 &&
                std::strlen(reinterpret_cast<char*>(payload.data())) == r.len - 1;
    if (path_op) safe &= r.len <= PATH_MAX_BYTES;
    if (r.op == OP_READ) safe &= r.args[1] >= 0 && r.args[1] <= BUFFER_BYTES;
    if (r.op == OP_WRITE) safe &= r.args[1] == int64_t(r.len);
    if (!safe) std::abort();
    return 0;
}
