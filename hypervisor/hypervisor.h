// The hypervisor as the rest of the system sees it.
#pragma once

namespace hv {
/// True once VMX is on for the boot CPU and guests can be launched.
bool hypervisor_available();
} // namespace hv
