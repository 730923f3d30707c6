// A plain snapshot of what the hypervisor is about to write into a VMCS, plus the capability
// MSRs that decide which values are legal. The VM-entry checker (entry_check.h) reads only these
// two structs, so it runs on the host and never touches a real VMCS.
//
// Field names follow SDM Vol 3C chapter 25 "Virtual Machine Control Structures" (chapter 24 in
// editions before 2023); each member's comment gives the VMCS field it stands for. Widths are
// those of the VMCS fields (natural-width fields are uint64_t).
#pragma once

#include <stdint.h>

namespace hv {

/// The VMX capability MSRs (SDM Vol 3D appendix A) and CPUID facts the VM-entry checks depend on.
/// Controls are judged against the TRUE_* MSRs; on a CPU whose IA32_VMX_BASIC[55] is 0, fill them
/// from the non-TRUE MSRs, which have the same layout.
struct VmxCaps {
    uint64_t basic; ///< IA32_VMX_BASIC (0x480), SDM A.1
    uint64_t
        true_pinbased_ctls; ///< IA32_VMX_TRUE_PINBASED_CTLS (0x48D): allowed-0 low, allowed-1 high
    uint64_t true_procbased_ctls;  ///< IA32_VMX_TRUE_PROCBASED_CTLS (0x48E), SDM A.3.2
    uint64_t true_exit_ctls;       ///< IA32_VMX_TRUE_EXIT_CTLS (0x48F), SDM A.4
    uint64_t true_entry_ctls;      ///< IA32_VMX_TRUE_ENTRY_CTLS (0x490), SDM A.5
    uint64_t procbased_ctls2;      ///< IA32_VMX_PROCBASED_CTLS2 (0x48B), SDM A.3.3
    uint64_t cr0_fixed0;           ///< IA32_VMX_CR0_FIXED0 (0x486): bits that must be 1, SDM A.7
    uint64_t cr0_fixed1;           ///< IA32_VMX_CR0_FIXED1 (0x487): bits that may be 1
    uint64_t cr4_fixed0;           ///< IA32_VMX_CR4_FIXED0 (0x488): bits that must be 1, SDM A.8
    uint64_t cr4_fixed1;           ///< IA32_VMX_CR4_FIXED1 (0x489): bits that may be 1
    uint64_t ept_vpid_cap;         ///< IA32_VMX_EPT_VPID_CAP (0x48C), SDM A.10
    uint64_t misc;                 ///< IA32_VMX_MISC (0x485), SDM A.6
    uint8_t max_phys_addr;         ///< MAXPHYADDR, CPUID.80000008H:EAX[7:0]
    uint8_t linear_addr_bits = 48; ///< linear-address width, CPUID.80000008H:EAX[15:8]
    bool sgx = false;              ///< SGX, CPUID.(EAX=07H,ECX=0):EBX[2] (enclave interruption)
    bool rtm = false;              ///< RTM, CPUID.(EAX=07H,ECX=0):EBX[11] (pending-debug bit 16)
};

/// One guest segment register as the VMCS holds it (SDM 25.4.1): selector, base, limit and
/// access rights in the VMCS's format (descriptor bits 47:40 and 55:52 plus bit 16 "unusable").
struct Segment {
    uint16_t selector;      ///< GUEST_xS_SELECTOR
    uint64_t base;          ///< GUEST_xS_BASE
    uint32_t limit;         ///< GUEST_xS_LIMIT, in bytes (already scaled by G)
    uint32_t access_rights; ///< GUEST_xS_AR_BYTES
};

/// VM-execution, VM-exit and VM-entry control fields (SDM 25.6, 25.7, 25.8).
struct VmxControls {
    uint32_t pin_based;                  ///< PIN_BASED_VM_EXEC_CONTROL
    uint32_t proc_based;                 ///< CPU_BASED_VM_EXEC_CONTROL (primary)
    uint32_t proc_based2;                ///< SECONDARY_VM_EXEC_CONTROL
    uint32_t exit;                       ///< VM_EXIT_CONTROLS
    uint32_t entry;                      ///< VM_ENTRY_CONTROLS
    uint32_t exception_bitmap;           ///< EXCEPTION_BITMAP
    uint32_t cr3_target_count;           ///< CR3_TARGET_COUNT
    uint64_t io_bitmap_a;                ///< IO_BITMAP_A (physical address)
    uint64_t io_bitmap_b;                ///< IO_BITMAP_B (physical address)
    uint64_t msr_bitmap;                 ///< MSR_BITMAP (physical address)
    uint64_t virtual_apic_page;          ///< VIRTUAL_APIC_PAGE_ADDR (physical address)
    uint32_t tpr_threshold;              ///< TPR_THRESHOLD
    uint64_t apic_access_addr;           ///< APIC_ACCESS_ADDR (physical address)
    uint64_t ept_pointer;                ///< EPT_POINTER (EPTP, SDM 25.6.11)
    uint16_t vpid;                       ///< VIRTUAL_PROCESSOR_ID
    uint32_t exit_msr_store_count;       ///< VM_EXIT_MSR_STORE_COUNT
    uint64_t exit_msr_store_addr;        ///< VM_EXIT_MSR_STORE_ADDR
    uint32_t exit_msr_load_count;        ///< VM_EXIT_MSR_LOAD_COUNT
    uint64_t exit_msr_load_addr;         ///< VM_EXIT_MSR_LOAD_ADDR
    uint32_t entry_msr_load_count;       ///< VM_ENTRY_MSR_LOAD_COUNT
    uint64_t entry_msr_load_addr;        ///< VM_ENTRY_MSR_LOAD_ADDR
    uint32_t entry_intr_info;            ///< VM_ENTRY_INTR_INFO_FIELD (event injection, SDM 25.8.3)
    uint32_t entry_exception_error_code; ///< VM_ENTRY_EXCEPTION_ERROR_CODE
    uint32_t entry_instruction_len;      ///< VM_ENTRY_INSTRUCTION_LEN
    uint32_t preemption_timer;           ///< VMX_PREEMPTION_TIMER_VALUE (any value is legal)
    uint64_t cr0_guest_host_mask;        ///< CR0_GUEST_HOST_MASK: CR0 bits the host owns (25.6.6)
    uint64_t cr4_guest_host_mask;        ///< CR4_GUEST_HOST_MASK: CR4 bits the host owns
    uint64_t cr0_read_shadow;            ///< CR0_READ_SHADOW: what the guest reads for owned bits
    uint64_t cr4_read_shadow;            ///< CR4_READ_SHADOW
};

/// Host-state area (SDM 25.5): what a VM exit loads.
struct VmxHostState {
    uint64_t cr0;          ///< HOST_CR0
    uint64_t cr3;          ///< HOST_CR3
    uint64_t cr4;          ///< HOST_CR4
    uint16_t es_selector;  ///< HOST_ES_SELECTOR
    uint16_t cs_selector;  ///< HOST_CS_SELECTOR
    uint16_t ss_selector;  ///< HOST_SS_SELECTOR
    uint16_t ds_selector;  ///< HOST_DS_SELECTOR
    uint16_t fs_selector;  ///< HOST_FS_SELECTOR
    uint16_t gs_selector;  ///< HOST_GS_SELECTOR
    uint16_t tr_selector;  ///< HOST_TR_SELECTOR
    uint64_t fs_base;      ///< HOST_FS_BASE
    uint64_t gs_base;      ///< HOST_GS_BASE
    uint64_t tr_base;      ///< HOST_TR_BASE
    uint64_t gdtr_base;    ///< HOST_GDTR_BASE
    uint64_t idtr_base;    ///< HOST_IDTR_BASE
    uint32_t sysenter_cs;  ///< HOST_IA32_SYSENTER_CS
    uint64_t sysenter_esp; ///< HOST_IA32_SYSENTER_ESP
    uint64_t sysenter_eip; ///< HOST_IA32_SYSENTER_EIP
    uint64_t efer;         ///< HOST_IA32_EFER (loaded if "load IA32_EFER" exit control)
    uint64_t pat;          ///< HOST_IA32_PAT (loaded if "load IA32_PAT" exit control)
    uint64_t rsp;          ///< HOST_RSP
    uint64_t rip;          ///< HOST_RIP
};

/// Guest-state area (SDM 25.4): the register and non-register state VM entry loads.
struct VmxGuestState {
    uint64_t cr0;          ///< GUEST_CR0
    uint64_t cr3;          ///< GUEST_CR3
    uint64_t cr4;          ///< GUEST_CR4
    uint64_t dr7;          ///< GUEST_DR7
    uint64_t rsp;          ///< GUEST_RSP
    uint64_t rip;          ///< GUEST_RIP
    uint64_t rflags;       ///< GUEST_RFLAGS
    Segment es;            ///< GUEST_ES_*
    Segment cs;            ///< GUEST_CS_*
    Segment ss;            ///< GUEST_SS_*
    Segment ds;            ///< GUEST_DS_*
    Segment fs;            ///< GUEST_FS_*
    Segment gs;            ///< GUEST_GS_*
    Segment ldtr;          ///< GUEST_LDTR_*
    Segment tr;            ///< GUEST_TR_*
    uint64_t gdtr_base;    ///< GUEST_GDTR_BASE
    uint32_t gdtr_limit;   ///< GUEST_GDTR_LIMIT
    uint64_t idtr_base;    ///< GUEST_IDTR_BASE
    uint32_t idtr_limit;   ///< GUEST_IDTR_LIMIT
    uint64_t efer;         ///< GUEST_IA32_EFER (loaded if "load IA32_EFER" entry control)
    uint64_t pat;          ///< GUEST_IA32_PAT (loaded if "load IA32_PAT" entry control)
    uint64_t debugctl;     ///< GUEST_IA32_DEBUGCTL (loaded if "load debug controls")
    uint32_t sysenter_cs;  ///< GUEST_SYSENTER_CS
    uint64_t sysenter_esp; ///< GUEST_SYSENTER_ESP
    uint64_t sysenter_eip; ///< GUEST_SYSENTER_EIP
    uint32_t
        activity_state; ///< GUEST_ACTIVITY_STATE (0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI)
    uint32_t interruptibility;       ///< GUEST_INTERRUPTIBILITY_INFO
    uint64_t pending_dbg_exceptions; ///< GUEST_PENDING_DBG_EXCEPTIONS
    uint64_t vmcs_link_pointer;      ///< VMCS_LINK_POINTER (~0 when there is no shadow VMCS)
    uint64_t pdpte[4]; ///< GUEST_PDPTR0..3 (used with EPT and PAE paging, SDM 27.3.1.6)
};

/// Everything the VM-entry checks read from one VMCS.
struct VmxState {
    VmxControls ctl;     ///< control fields
    VmxHostState host;   ///< host-state area
    VmxGuestState guest; ///< guest-state area
};

} // namespace hv
