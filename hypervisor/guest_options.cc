// The command-line options of the hypervisor's test guests: guests=demo (demo.cc) and
// guests=fpu with guests_cpu (fpu_guests.cc).
#include "hooks.h"

namespace hv {

BOOT_OPTION(guests, "guests=demo: the hypervisor runs its test guests after boot (demo.cc); "
                    "guests=fpu: the FPU state-integrity guest beside the slave (fpu_guests.cc)");
BOOT_OPTION(guests_cpu, "guests_cpu=N: the CPU guests=fpu runs its guest on (default: the last, "
                        "the slave's)");

} // namespace hv
