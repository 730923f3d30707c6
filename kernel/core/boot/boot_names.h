// Names the kernel accepts at boot, from whichever layer knows them: command-line options and
// the names of data modules (multiboot2 modules that are files for a layer, not programs to
// start). Each layer registers its own (BOOT_OPTION, BOOT_DATA_MODULE in hooks.h); the kernel
// looks names up in the tables those registrations make, so it never lists the hypervisor's
// or libos' names itself. This part is pure: a table is any array of records.
#pragma once

#include <stddef.h>

namespace kern {

/// One registered name and a line of help for people (e.g. `slave_mem=MiB: the slave's RAM`).
/// The records lie back to back in a linker section and are walked as an array: 16 bytes, the
/// alignment GCC gives objects of that size, so there are no gaps between them.
struct alignas(16) BootName {
    const char* name; ///< the option's key, or the module's name (its string up to a space)
    const char* help; ///< one line: the syntax and what it does
};
static_assert(sizeof(BootName) == 16);

/// A table of names: the records in [begin, end).
class BootNames {
  public:
    /// The table of the records in [begin, end).
    constexpr BootNames(const BootName* begin, const BootName* end) : m_begin(begin), m_end(end) {}
    /// The record named `name`, or nullptr.
    const BootName* find(const char* name) const;
    /// Whether `name` is in the table.
    bool has(const char* name) const { return find(name) != nullptr; }
    /// Whether the module string `cmdline` ("name args...") names a record: its first word is
    /// one of the table's names, exactly.
    bool names_module(const char* cmdline) const;
    /// The first record (with end(), a range-for walks the table).
    const BootName* begin() const { return m_begin; }
    /// Past the last record.
    const BootName* end() const { return m_end; }

  private:
    const BootName* m_begin;
    const BootName* m_end;
};

} // namespace kern
