// Lab 9, step 3: a caller's run of the babysat slave, on the caller's budget. Contracts in
// hypervisor/core/slave/babysat_budget.h; the handout (labs/lab9-babysat/README.md) walks
// through them.
#include "hypervisor/core/slave/babysat_budget.h"

namespace hv {

bool BabysatRun::before_entry(uint64_t now, BabysatClock& clock, uint64_t& budget_left,
                              BabysitResult& why) {
    (void)now;
    (void)clock;
    (void)budget_left;
    why = {BabysitEnd::stopped, 0};
    return false; // TODO(lab 9): the slave's clock, the master's timer, the caller's budget
}

CallerNext after_babysit(const BabysitResult& r, uint64_t now, uint64_t deadline, uint64_t poll) {
    (void)r;
    (void)now;
    (void)deadline;
    (void)poll;
    return {CallerNext::fail}; // TODO(lab 9): what the caller does next
}

} // namespace hv
