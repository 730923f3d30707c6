// libFuzzer target: the master's check of a response from an untrusted vlibosd (lab 8's
// check_response) on arbitrary bytes. The input is a request slot followed by a response slot;
// whatever check_response() accepts must be safe for delegate() to act on (it copies `len`
// bytes out of a BUFFER_BYTES buffer and returns `result`): the fuzzer checks that invariant
// besides looking for crashes and undefined behaviour.
#include "libos/channel/validate.h"

#include <cstdlib>
#include <cstring>

using namespace vlibos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2 * SLOT_BYTES) return 0;
    Request sent;
    Response got;
    std::memcpy(&sent, data, SLOT_BYTES);
    std::memcpy(&got, data + SLOT_BYTES, SLOT_BYTES);
    if (check_response(sent, got) != 0) return 0;
    bool safe = got.seq == sent.seq && got.buffer == sent.buffer && got.len <= BUFFER_BYTES &&
                got.result >= -4095 && (got.result >= 0 || got.len == 0) &&
                (sent.op != OP_READ || got.result <= sent.args[1]);
    if (!safe) std::abort(); // an accepted response that delegate() must not trust
    return 0;
}
