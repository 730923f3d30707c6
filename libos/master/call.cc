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

uint64_t call_charge(uint64_t service_ns, uint64_t waited, uint64_t tsc_hz) {
    (void)service_ns;
    (void)waited;
    (void)tsc_hz;
    return 0; // TODO(lab 8): Linux's time on the call, in the caller's cycles
}

WaitPlan plan_wait(WaitMode mode, uint64_t now, uint64_t deadline, uint64_t interval,
                   uint64_t max_interval, uint64_t doorbell_fallback) {
    (void)mode;
    (void)now;
    (void)deadline;
    (void)interval;
    (void)max_interval;
    (void)doorbell_fallback;
    return {}; // TODO(lab 8): spin, poll or sleep until the doorbell; never past the deadline
}

} // namespace libos
