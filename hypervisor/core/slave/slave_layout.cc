#include "hypervisor/core/slave/slave_layout.h"

#include "lib/string.h"

namespace hv {

using namespace linux_boot;

size_t write_jailhouse_setup_data(uint8_t* out, const JailhouseInfo& info) {
    memset(out, 0, SETUP_DATA_HEADER + JAILHOUSE_SETUP_V2_SIZE);
    put_le(out + 0, 8, 0);               // next: the only record
    put_le(out + 8, 4, SETUP_JAILHOUSE); // type
    put_le(out + 12, 4, JAILHOUSE_SETUP_V2_SIZE);
    uint8_t* d = out + SETUP_DATA_HEADER;
    put_le(d + 0, 2, 2); // version
    put_le(d + 2, 2, 1); // compatible_version: Linux 6.1 requires exactly 1
    put_le(d + 4, 2, info.pm_timer_port);
    put_le(d + 6, 2, info.num_cpus);
    put_le(d + 8, 8, 0); // pci_mmconfig_base: none (PCI through ports, filtered)
    put_le(d + 16, 4, info.tsc_khz);
    put_le(d + 20, 4, info.apic_khz);
    d[24] = info.standard_ioapic ? 1 : 0;
    for (size_t i = 0; i < info.num_cpus && i < sizeof info.cpu_ids; ++i)
        d[25 + i] = info.cpu_ids[i];         // cpu_ids[255]
    put_le(d + 25 + 255, 4, info.uart_mask); // v2: flags
    return SETUP_DATA_HEADER + JAILHOUSE_SETUP_V2_SIZE;
}

} // namespace hv
