// Lab 8, step 2: one delegated call on a caller slot. Contracts in libos/master/call.h; the
// handout (labs/lab8-delegation/README.md) walks through them. Until you write these, every
// delegated call fails with ENOSYS.
#include "libos/master/call.h"

#include "libos/channel/validate.h"

namespace libos {

using namespace vlibos;

int64_t call_on_slot(CallerSlot& slot, const CallArgs& call, uint64_t timeout, CallEnv& env,
                     CallReport& report) {
    (void)slot;
    (void)call;
    (void)timeout;
    (void)env;
    report.end = CallEnd::rejected;
    return -CE_NOSYS; // TODO(lab 8): number, fill and push the request; wait for its answer
}

bool drain_slot(CallerSlot& slot, uint32_t& stale) {
    (void)slot;
    (void)stale;
    return false; // TODO(lab 8): drop late answers; free the slot once the unanswered one came
}

} // namespace libos
