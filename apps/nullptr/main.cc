// nullptr: a master application that dereferences NULL. The kernel must end it with a report
// and keep running everything else.
#include "vos.h"

int app_main(const char*) {
    vos::printf("nullptr: about to read address 0\n");
    volatile int* p = nullptr;
    int v = *p;
    vos::printf("nullptr: read %d: the kernel did not stop me!\n", v);
    return 0;
}
