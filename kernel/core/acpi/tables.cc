// Lab 2, step 1: finding the ACPI tables (the RSDP, the root table, a table by signature) and
// reading the FADT's PM timer. Contracts in core/acpi/tables.h; the handout
// (labs/lab2-interrupts/README.md) walks through them. Until you write these the kernel finds
// no ACPI: one CPU, the PIT as its clock.
#include "core/acpi/tables.h"

namespace kern::acpi {

uint8_t checksum(const uint8_t* bytes, size_t len) {
    (void)bytes;
    (void)len;
    return 0xFF; // TODO(lab 2)
}

Result<TableHeader> check_table(const uint8_t* table, size_t avail, const char* sig) {
    (void)table;
    (void)avail;
    (void)sig;
    return Error{Errc::unsupported, "check_table: not written yet (lab 2)"};
}

Result<Rsdp> parse_rsdp(const uint8_t* bytes, size_t len) {
    (void)bytes;
    (void)len;
    return Error{Errc::unsupported, "parse_rsdp: not written yet (lab 2)"};
}

Result<Rsdp> find_rsdp(const PhysWindow& mem, uint64_t start, uint64_t end) {
    (void)mem;
    (void)start;
    (void)end;
    return Error{Errc::unsupported, "find_rsdp: not written yet (lab 2)"};
}

Result<Rsdp> find_rsdp_legacy(const PhysWindow& mem) {
    (void)mem;
    return Error{Errc::unsupported, "find_rsdp_legacy: not written yet (lab 2)"};
}

Result<Table> find_table(const PhysWindow& mem, const Rsdp& rsdp, const char* sig,
                         size_t instance) {
    (void)mem;
    (void)rsdp;
    (void)sig;
    (void)instance;
    return Error{Errc::unsupported, "find_table: not written yet (lab 2)"};
}

Result<FadtInfo> parse_fadt(const uint8_t* table, size_t length) {
    (void)table;
    (void)length;
    return Error{Errc::unsupported, "parse_fadt: not written yet (lab 2)"};
}

} // namespace kern::acpi
