#include "core/boot/boot_names.h"

#include "lib/string.h"

namespace kern {

const BootName* BootNames::find(const char* name) const {
    for (const BootName* b = m_begin; b < m_end; ++b)
        if (strcmp(b->name, name) == 0) return b;
    return nullptr;
}

bool BootNames::names_module(const char* cmdline) const {
    size_t n = 0;
    while (cmdline[n] && cmdline[n] != ' ')
        ++n;
    for (const BootName* b = m_begin; b < m_end; ++b)
        if (strncmp(b->name, cmdline, n) == 0 && b->name[n] == '\0') return true;
    return false;
}

} // namespace kern
