// Infrastructure: the VMCS field table, typed access and FakeVmcs.
#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/core/vmcs_fields.h"

#include <catch2/catch.hpp>
#include <string>
#include <type_traits>

using namespace hv;

// ---- compile-time checks of what must not compile ----------------------------------------
// A requires-expression inside a concept turns "does not compile" into a testable false.
// These hold:
//     vmcs.write(GUEST_CS_SELECTOR, uint64_t{0x10});  // 64-bit value into a 16-bit field
//     vmcs.write(VM_EXIT_REASON, uint32_t{0});        // read-only field
// An out-of-range *literal* also fails to compile, but only when evaluated, which a concept
// cannot observe:
//     vmcs.write(GUEST_CS_SELECTOR, 0x12345);         // error: call to non-constexpr function
//     vmcs.write(EXCEPTION_BITMAP, -1);               // same
template <typename F, typename V>
concept Writable = requires(Vmcs<FakeVmcs>& vmcs, F field, V value) {
    vmcs.write(field, value);
};

static_assert(Writable<decltype(GUEST_CS_SELECTOR), uint16_t>);
static_assert(Writable<decltype(GUEST_CS_SELECTOR), uint8_t>);
static_assert(Writable<decltype(GUEST_CS_SELECTOR), int>); // literals, range-checked
static_assert(!Writable<decltype(GUEST_CS_SELECTOR), uint32_t>);
static_assert(!Writable<decltype(GUEST_CS_SELECTOR), uint64_t>);
static_assert(!Writable<decltype(GUEST_CS_SELECTOR), bool>);
static_assert(Writable<decltype(CPU_BASED_VM_EXEC_CONTROL), uint32_t>);
static_assert(!Writable<decltype(CPU_BASED_VM_EXEC_CONTROL), uint64_t>);
static_assert(!Writable<decltype(CPU_BASED_VM_EXEC_CONTROL), int64_t>);
static_assert(Writable<decltype(GUEST_RIP), uint64_t>);
static_assert(Writable<decltype(TSC_OFFSET), int64_t>); // signed 64-bit offsets are fine
static_assert(!Writable<decltype(VM_EXIT_REASON), uint32_t>);
static_assert(!Writable<decltype(EXIT_QUALIFICATION), uint64_t>);
static_assert(!Writable<decltype(GUEST_PHYSICAL_ADDRESS), uint64_t>);

// Reads return the field's own width.
static_assert(
    std::is_same_v<decltype(std::declval<Vmcs<FakeVmcs>&>().read(GUEST_CS_SELECTOR)), uint16_t>);
static_assert(
    std::is_same_v<decltype(std::declval<Vmcs<FakeVmcs>&>().read(VM_EXIT_REASON)), uint32_t>);
static_assert(
    std::is_same_v<decltype(std::declval<Vmcs<FakeVmcs>&>().read(EPT_POINTER)), uint64_t>);
static_assert(std::is_same_v<decltype(std::declval<Vmcs<FakeVmcs>&>().read(GUEST_RIP)), uint64_t>);

// The table is usable at compile time.
static_assert(vmcs_field_info(0x681e)->width == Width::NATURAL);
static_assert(VMCS_FIELD_COUNT > 140);

TEST_CASE("vmcs: every row's width and type agree with its encoding", "[infra]") {
    for (const VmcsFieldInfo& f : VMCS_FIELD_TABLE) {
        INFO(f.name);
        CHECK(encoding_width(f.encoding) == f.width);
        CHECK(encoding_type(f.encoding) == f.type);
        CHECK(encoding_is_full(f.encoding));
        CHECK(std::string(vmcs_field_name(f.encoding)) == f.name);
        CHECK(vmcs_field_info(f.encoding) == &f);
    }
}

TEST_CASE("vmcs: typed constants match the table", "[infra]") {
#define VMCS_FIELD(name, enc, width, type)                                                         \
    CHECK(name.encoding == (enc));                                                                 \
    CHECK(decltype(name)::WIDTH == Width::width);                                                  \
    CHECK(decltype(name)::ACCESS == access_of(FieldType::type));                                   \
    CHECK(std::string(vmcs_field_name(enc)) == #name);
#include "hypervisor/core/vmcs_fields.def"
#undef VMCS_FIELD
}

TEST_CASE("vmcs: encoding decoding by hand (SDM Vol 3C 25.11.2)", "[infra]") {
    // 0x0802 = 0b000_1000_0000_0010: width 0 (16), type 2 (guest), index 1.
    CHECK(encoding_width(0x0802) == Width::W16);
    CHECK(encoding_type(0x0802) == FieldType::GUEST);
    CHECK(encoding_index(0x0802) == 1);
    // 0x4402 VM_EXIT_REASON: width 2 (32), type 1 (exit info), index 1.
    CHECK(encoding_width(0x4402) == Width::W32);
    CHECK(encoding_type(0x4402) == FieldType::EXIT_INFO);
    CHECK(encoding_width(0x201a) == Width::W64);
    CHECK(encoding_type(0x201a) == FieldType::CONTROL);
    CHECK(encoding_index(0x201a) == 13);
    CHECK(encoding_width(0x6c16) == Width::NATURAL);
    CHECK(encoding_type(0x6c16) == FieldType::HOST);
    CHECK_FALSE(encoding_is_full(0x201b)); // EPT_POINTER_HIGH
    CHECK_FALSE(encoding_is_full(0x1000)); // reserved bit 12
    CHECK(std::string(vmcs_field_name(0x201b)) == "UNKNOWN_VMCS_FIELD");
    CHECK(vmcs_field_info(0x201b) == nullptr);
    CHECK(width_mask(Width::W16) == 0xffff);
    CHECK(width_bits(Width::NATURAL) == 64);
}

TEST_CASE("vmcs: FakeVmcs round trips through the typed wrapper", "[infra]") {
    FakeVmcs fake;
    Vmcs vmcs(fake);
    CHECK(vmcs.read(GUEST_RIP) == 0);
    vmcs.write(GUEST_CS_SELECTOR, 0x10);
    vmcs.write(CPU_BASED_VM_EXEC_CONTROL, uint32_t{0x84006172});
    vmcs.write(GUEST_RIP, uint64_t{0xffffffff81000000});
    vmcs.write(TSC_OFFSET, int64_t{-1000});
    CHECK(vmcs.read(GUEST_CS_SELECTOR) == 0x10);
    CHECK(vmcs.read(CPU_BASED_VM_EXEC_CONTROL) == 0x84006172u);
    CHECK(vmcs.read(GUEST_RIP) == 0xffffffff81000000ull);
    CHECK(static_cast<int64_t>(vmcs.read(TSC_OFFSET)) == -1000);
    CHECK(fake.write_count() == 4);
    CHECK(fake.write_at(0).encoding == 0x0802);
    CHECK(fake.write_at(0).value == 0x10);
    CHECK(fake.write_at(2).encoding == GUEST_RIP.encoding);
    CHECK(fake.was_written(GUEST_CS_SELECTOR.encoding));
    CHECK_FALSE(fake.was_written(GUEST_SS_SELECTOR.encoding));
    CHECK(fake.refused_count() == 0);

    vmcs.modify(CPU_BASED_VM_EXEC_CONTROL, 0x80, 0x4000000);
    CHECK(vmcs.read(CPU_BASED_VM_EXEC_CONTROL) == 0x800061f2u);
}

TEST_CASE("vmcs: FakeVmcs truncates to the field width like VMWRITE", "[infra]") {
    FakeVmcs fake;
    fake.write_raw(GUEST_CS_SELECTOR.encoding, 0x12345);
    CHECK(fake.get(GUEST_CS_SELECTOR.encoding) == 0x2345);
    fake.write_raw(GUEST_CS_LIMIT.encoding, 0x1'ffff'ffffull);
    CHECK(fake.read_raw(GUEST_CS_LIMIT.encoding) == 0xffffffffull);
}

TEST_CASE("vmcs: FakeVmcs refuses read-only and unknown fields with the CPU's error", "[infra]") {
    FakeVmcs fake;
    fake.set(VM_EXIT_REASON, 48);
    fake.write_raw(VM_EXIT_REASON.encoding, 12); // what a buggy handler might do
    CHECK(fake.get(VM_EXIT_REASON.encoding) == 48);
    CHECK(fake.refused_count() == 1);
    CHECK(fake.last_refused_encoding() == VM_EXIT_REASON.encoding);
    CHECK(fake.last_error() == VmInstructionError::VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
    CHECK(fake.get(VM_INSTRUCTION_ERROR.encoding) == 13);
    CHECK(fake.write_count() == 0);

    fake.write_raw(0x201b, 1); // EPT_POINTER "high": not in the table
    CHECK(fake.last_error() == VmInstructionError::VMXERR_UNSUPPORTED_VMCS_COMPONENT);
    CHECK(fake.read_raw(0x9999) == 0);
    CHECK(fake.refused_count() == 3);
    CHECK(fake.get(VM_INSTRUCTION_ERROR.encoding) == 12);

    fake.clear_log();
    CHECK(fake.refused_count() == 0);
    CHECK(fake.last_error() == VmInstructionError::VMXERR_NONE);
    CHECK(fake.get(VM_EXIT_REASON.encoding) == 48); // values survive clear_log()
}

TEST_CASE("vmcs: the write log has a fixed capacity", "[infra]") {
    FakeVmcs fake;
    for (uint64_t i = 0; i < FakeVmcs::LOG_CAPACITY + 6; i++)
        fake.write_raw(GUEST_RSP.encoding, i);
    CHECK(fake.write_count() == FakeVmcs::LOG_CAPACITY + 6);
    CHECK(fake.write_at(FakeVmcs::LOG_CAPACITY - 1).value == FakeVmcs::LOG_CAPACITY - 1);
    CHECK(fake.get(GUEST_RSP.encoding) == FakeVmcs::LOG_CAPACITY + 5);
}

// The shape of an exit handler test: the handler takes any VmcsAccess back end.
template <VmcsAccess A> static void skip_instruction(Vmcs<A>& vmcs) {
    vmcs.write(GUEST_RIP, vmcs.read(GUEST_RIP) + vmcs.read(VM_EXIT_INSTRUCTION_LEN));
}

TEST_CASE("vmcs: an exit handler runs against FakeVmcs", "[infra]") {
    FakeVmcs fake;
    fake.set(GUEST_RIP, 0x1000);
    fake.set(VM_EXIT_INSTRUCTION_LEN, 3); // the "processor" fills exit information
    Vmcs vmcs(fake);
    skip_instruction(vmcs);
    CHECK(fake.get(GUEST_RIP.encoding) == 0x1003);
    REQUIRE(fake.write_count() == 1);
    CHECK(fake.write_at(0).encoding == GUEST_RIP.encoding);
    CHECK(fake.refused_count() == 0);
}
