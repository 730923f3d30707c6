// libFuzzer target: vlibosd's check of a request from the master (check_request) on arbitrary
// bytes: a caller slot index (one byte), a request slot, then its payload. Whatever it accepts
// must be safe for Server::serve() (a buffer index of that caller slot's, a payload that fits, a
// path that is one NUL-terminated string within PATH_MAX_BYTES, a read count within a buffer).
#include "libos/channel/validate.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace vlibos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 + SLOT_BYTES) return 0;
    uint32_t caller = data[0] % (CALLERS + 2); // and a few that do not exist
    ++data;
    --size;
    Request r;
    std::memcpy(&r, data, SLOT_BYTES);
    std::vector<uint8_t> payload(BUFFER_BYTES, 0);
    std::memcpy(payload.data(), data + SLOT_BYTES,
                std::min<size_t>(size - SLOT_BYTES, BUFFER_BYTES));
    if (check_request(r, caller, payload.data()) != 0) return 0;
    bool safe = caller < CALLERS && r.buffer / BUFFERS_PER_CALLER == caller && r.buffer < BUFFERS &&
                r.len <= BUFFER_BYTES && r.op < OP_COUNT;
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
