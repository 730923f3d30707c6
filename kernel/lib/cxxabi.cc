// The small C++ runtime a freestanding kernel needs (Itanium C++ ABI): global constructors,
// pure-virtual calls, and the DSO handle that static destructors would be registered against.
#include "lib/cxxabi.h"

#include "panic.h"

extern "C" {
using Constructor = void (*)();
extern Constructor __init_array_start[], __init_array_end[];

void* __dso_handle = nullptr;

// Kernel-lifetime objects are never destroyed: ignore destructor registrations.
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}

void __cxa_pure_virtual() {
    PANIC("pure virtual function called (object used during construction or after destruction?)");
}
}

namespace kern {

void run_global_constructors() {
    for (Constructor* c = __init_array_start; c < __init_array_end; ++c)
        (*c)();
}

} // namespace kern
