// Request and response builders shared by the channel's check tests.
#pragma once

#include "libos/channel/protocol.h"

#include <cstring>
#include <string>
#include <vector>

namespace vlibos::test {

/// A request with seq 7 in buffer 3 (caller slot 0's), and its payload: `s` with its NUL (or
/// nothing).
struct Msg {
    Request r{};
    std::vector<uint8_t> payload = std::vector<uint8_t>(BUFFER_BYTES, 0);
    explicit Msg(uint16_t op, const std::string& s = "") {
        r.op = op;
        r.seq = 7;
        r.buffer = 3;
        if (!s.empty()) {
            std::memcpy(payload.data(), s.c_str(), s.size() + 1);
            r.len = uint32_t(s.size() + 1);
        }
    }
};

/// The response an honest daemon would give to `r`: its seq, op and buffer, `result`, `len`.
inline Response answer(const Request& r, int64_t result, uint32_t len = 0) {
    Response a{};
    a.seq = r.seq;
    a.op = r.op;
    a.buffer = r.buffer;
    a.result = result;
    a.len = len;
    return a;
}

} // namespace vlibos::test
