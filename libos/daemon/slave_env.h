// What a program in the Linux slave needs to reach the delegation channel: the numbers the
// master put on the kernel command line, and the channel mapped through /dev/mem (STRICT_DEVMEM
// allows the e820-reserved range; without O_SYNC the mapping is write-back). Hosted C++, used by
// vlibosd and the kit's attack program.
#pragma once

#include "libos/channel/protocol.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace vlibos {

/// The number after `key=` on the kernel command line (/proc/cmdline), or `def`.
inline long long kernel_cmdline_value(const char* key, long long def) {
    FILE* f = std::fopen("/proc/cmdline", "r");
    if (!f) return def;
    char buf[1024] = {};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    char pattern[64];
    std::snprintf(pattern, sizeof pattern, "%s=", key);
    const char* p = std::strstr(buf, pattern);
    return p ? std::strtoll(p + std::strlen(pattern), nullptr, 0) : def;
}

/// The channel's guest-physical address (vlibos.channel=), 0 if the master shares none.
inline unsigned long long channel_address() {
    return (unsigned long long)kernel_cmdline_value("vlibos.channel", 0);
}

/// Map the CHANNEL_BYTES at guest-physical @p addr read/write; nullptr if /dev/mem refuses.
inline uint8_t* map_channel(unsigned long long addr) {
    int fd = open("/dev/mem", O_RDWR);
    if (fd < 0) return nullptr;
    void* map = mmap(nullptr, CHANNEL_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(addr));
    close(fd); // the mapping stays
    return map == MAP_FAILED ? nullptr : static_cast<uint8_t*>(map);
}

} // namespace vlibos
