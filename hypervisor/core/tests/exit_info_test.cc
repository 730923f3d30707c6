// Infrastructure: exit reasons, VM-instruction errors and exit-qualification decoding.
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/core/vm_instruction_error.h"

#include <catch2/catch.hpp>
#include <string>

using namespace hv;

TEST_CASE("exit: basic exit reason names (SDM Vol 3D Appendix C)", "[infra]") {
    CHECK(std::string(exit_reason_name(0)) == "EXCEPTION_NMI");
    CHECK(std::string(exit_reason_name(10)) == "CPUID");
    CHECK(std::string(exit_reason_name(30)) == "IO_INSTRUCTION");
    CHECK(std::string(exit_reason_name(48)) == "EPT_VIOLATION");
    CHECK(std::string(exit_reason_name(49)) == "EPT_MISCONFIG");
    CHECK(std::string(exit_reason_name(52)) == "PREEMPTION_TIMER");
    CHECK(std::string(exit_reason_name(ExitReason::EXIT_REASON_XSETBV)) == "XSETBV");
    CHECK(std::string(exit_reason_name(35)) == "UNKNOWN");
    CHECK(std::string(exit_reason_name(1000)) == "UNKNOWN");
    // Every number below EXIT_REASON_COUNT is named except the three the SDM leaves unused.
    for (uint16_t r = 0; r < EXIT_REASON_COUNT; r++) {
        INFO(r);
        bool unused = r == 35 || r == 38 || r == 42;
        CHECK((std::string(exit_reason_name(r)) == "UNKNOWN") == unused);
    }
}

TEST_CASE("exit: VM-instruction error texts (SDM Vol 3C 31.4)", "[infra]") {
    CHECK(std::string(vm_instruction_error_text(7)) == "VM entry with invalid control field(s)");
    CHECK(std::string(vm_instruction_error_text(8)) == "VM entry with invalid host-state field(s)");
    CHECK(std::string(vm_instruction_error_text(12)) ==
          "VMREAD/VMWRITE from/to unsupported VMCS component");
    CHECK(std::string(vm_instruction_error_text(
              VmInstructionError::VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT)) ==
          "VMWRITE to read-only VMCS component");
    CHECK(std::string(vm_instruction_error_text(28)) == "Invalid operand to INVEPT/INVVPID");
    for (uint32_t n : {14u, 21u, 27u, 29u, 1000u})
        CHECK(std::string(vm_instruction_error_text(n)) == "reserved VM-instruction error number");
    for (uint32_t n = 1; n <= 28; n++)
        if (n != 14 && n != 21 && n != 27)
            CHECK(std::string(vm_instruction_error_text(n)) !=
                  "reserved VM-instruction error number");
}

TEST_CASE("exit: I/O qualification (SDM Table 28-5)", "[infra]") {
    // out dx, al with DX = 0x3f8: size 0 (1 byte), OUT, not string, DX operand.
    IoExitInfo a = IoExitInfo::decode(0x03f80000);
    CHECK(a.size == 1);
    CHECK_FALSE(a.input);
    CHECK_FALSE(a.string);
    CHECK_FALSE(a.immediate);
    CHECK(a.port == 0x3f8);
    // in eax, 0x60: size 3 (4 bytes) | IN (bit 3) | immediate (bit 6).
    IoExitInfo b = IoExitInfo::decode(0x0060004b);
    CHECK(b.size == 4);
    CHECK(b.input);
    CHECK(b.immediate);
    CHECK(b.port == 0x60);
    // rep insw with DX = 0x1f0: size 1 | IN | string (bit 4) | REP (bit 5).
    IoExitInfo c = IoExitInfo::decode(0x01f00039);
    CHECK(c.size == 2);
    CHECK(c.input);
    CHECK(c.string);
    CHECK(c.rep);
    CHECK(c.port == 0x1f0);
}

TEST_CASE("exit: control-register qualification (SDM Table 28-3)", "[infra]") {
    // mov cr3, rbx: CR 3, type 0, register 3 (RBX) in bits 11:8.
    CrAccessInfo a = CrAccessInfo::decode(0x303);
    CHECK(a.cr == 3);
    CHECK(a.access == CrAccessType::MOV_TO_CR);
    CHECK(a.gpr == 3);
    // mov r12, cr8: CR 8, type 1, register 12.
    CrAccessInfo b = CrAccessInfo::decode(0xc18);
    CHECK(b.cr == 8);
    CHECK(b.access == CrAccessType::MOV_FROM_CR);
    CHECK(b.gpr == 12);
    CHECK(CrAccessInfo::decode(0x20).access == CrAccessType::CLTS);
    // lmsw [mem] with source 0x0001: type 3, memory operand (bit 6), data in bits 31:16.
    CrAccessInfo c = CrAccessInfo::decode(0x00010070);
    CHECK(c.access == CrAccessType::LMSW);
    CHECK(c.lmsw_memory_operand);
    CHECK(c.lmsw_source == 1);
}

TEST_CASE("exit: EPT-violation qualification (SDM Table 28-7)", "[infra]") {
    // A data write to a page mapped read-only, through a guest linear address.
    EptViolationInfo w = EptViolationInfo::decode(0x18a);
    CHECK(w.write);
    CHECK_FALSE(w.read);
    CHECK_FALSE(w.fetch);
    CHECK(w.readable);
    CHECK_FALSE(w.writable);
    CHECK_FALSE(w.executable);
    CHECK(w.linear_address_valid);
    CHECK(w.translated_access);
    CHECK_FALSE(w.nmi_unblocking);
    // An instruction fetch from an unmapped page during the guest's page walk, after IRET.
    EptViolationInfo f = EptViolationInfo::decode(0x1084);
    CHECK(f.fetch);
    CHECK_FALSE(f.readable);
    CHECK_FALSE(f.translated_access);
    CHECK(f.linear_address_valid);
    CHECK(f.nmi_unblocking);
    CHECK(EptViolationInfo::decode(0x41).user_executable);
}

TEST_CASE("exit: interruption information (SDM Vol 3C 25.9.2)", "[infra]") {
    // #PF: vector 14, hardware exception (3), error code valid, valid.
    InterruptionInfo pf = InterruptionInfo::decode(0x80000b0e);
    CHECK(pf.vector == 14);
    CHECK(pf.type == InterruptionType::HARDWARE_EXCEPTION);
    CHECK(pf.error_code_valid);
    CHECK(pf.valid);
    CHECK(pf.encode() == 0x80000b0eu);
    InterruptionInfo nmi = InterruptionInfo::decode(0x80001202);
    CHECK(nmi.type == InterruptionType::NMI);
    CHECK(nmi.nmi_unblocking);
    CHECK_FALSE(nmi.error_code_valid);
    CHECK(InterruptionInfo::decode(0x20).valid == false);
    InterruptionInfo irq{0x20, InterruptionType::EXTERNAL_INTERRUPT, false, false, true};
    CHECK(irq.encode() == 0x80000020u);
    InterruptionInfo bp{3, InterruptionType::SOFTWARE_EXCEPTION, false, false, true};
    CHECK(bp.encode() == 0x80000603u);
}
