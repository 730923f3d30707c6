// The hypervisor as the rest of the system sees it.
#pragma once

namespace hv {
/// True once VMX is on for the boot CPU and guests can be launched.
bool hypervisor_available();
/// Why hypervisor_available() is false: what turning VMX on said ("this CPU has no VMX ...",
/// or the refusal of the student's vmx_on()), for messages.
const char* hypervisor_unavailable_why();
} // namespace hv
