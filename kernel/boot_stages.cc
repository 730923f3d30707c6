#include "boot_stages.h"

namespace kern {

void boot_stages_run(void (*after_stage)(const char* suite)) {
    after_stage("lab1");
    after_stage("lab2");
}

} // namespace kern
