// Lab 9, step 1: the virtual x2APIC (contracts in hypervisor/core/slave/vlapic.h).
#include "hypervisor/core/slave/vlapic.h"

#include "core/arch/apic_bits.h"
#include "core/arch/msr.h"

namespace hv {

namespace {
using namespace kern::x86;                         // the x2APIC MSRs, IA32_TSC_DEADLINE
using namespace kern::lapic;                       // the register bits
constexpr uint32_t LVT_TIMER_MODE_MASK = 3u << 17; // bits 18:17 (lapic::TimerMode)

/// LVT index: 0 = CMCI (0x82F), 1 = timer (0x832) ... 6 = error (0x837).
int lvt_index(uint32_t msr) {
    if (msr == IA32_X2APIC_LVT_CMCI) return 0;
    if (msr >= IA32_X2APIC_LVT_TIMER && msr <= IA32_X2APIC_LVT_ERROR)
        return int(msr - IA32_X2APIC_LVT_TIMER) + 1;
    return -1;
}
} // namespace

void VirtualLapic::seed(uint32_t svr, uint32_t tpr, uint32_t lvt_timer, uint64_t tsc_deadline) {
    m_svr = svr;
    m_tpr = tpr & 0xFF;
    m_lvt[1] = lvt_timer;
    m_deadline = tsc_deadline;
}

bool VirtualLapic::handles(uint32_t msr) {
    return msr == IA32_TSC_DEADLINE || (msr >= IA32_X2APIC_FIRST && msr <= IA32_X2APIC_LAST);
}

int VirtualLapic::highest(const uint32_t (&a)[8]) {
    for (int i = 7; i >= 0; --i)
        if (a[i]) return i * 32 + 31 - __builtin_clz(a[i]);
    return -1;
}

uint32_t VirtualLapic::ppr() const {
    // PPR = TPR if its class is at least that of the highest vector in service, else that
    // vector's class (SDM 11.8.3.1).
    int isrv = highest(m_isr);
    uint32_t isr_class = isrv < 0 ? 0 : uint32_t(isrv) & 0xF0;
    return (m_tpr & 0xF0) >= isr_class ? m_tpr : isr_class;
}

int VirtualLapic::pending() const {
    if (!(m_svr & SVR_APIC_ENABLE)) // software-disabled
        return -1;
    int v = highest(m_irr);
    if (v < 0 || (uint32_t(v) & 0xF0) <= (ppr() & 0xF0)) return -1;
    return v;
}

void VirtualLapic::accept(uint8_t vector) {
    clear(m_irr, vector);
    set(m_isr, vector);
}

void VirtualLapic::deliver(uint8_t vector) {
    if (vector >= 16)
        set(m_irr, vector);
    else
        m_esr |= ESR_RECEIVE_ILLEGAL_VECTOR;
}

void VirtualLapic::tick(uint64_t now) {
    uint32_t lvt = m_lvt[1];
    if (m_deadline && now >= m_deadline && (lvt & LVT_TIMER_MODE_MASK) == TSC_DEADLINE) {
        m_deadline = 0; // one shot: the guest writes the next deadline
        if (!(lvt & LVT_MASKED)) deliver(uint8_t(lvt & 0xFF));
    }
}

uint64_t VirtualLapic::take_icr() {
    uint64_t v = m_icr_pending ? m_icr : 0;
    m_icr_pending = false;
    return v;
}

bool VirtualLapic::read(uint32_t msr, uint64_t& v) const {
    if (msr == IA32_TSC_DEADLINE) {
        v = m_deadline;
        return true;
    }
    if (msr >= IA32_X2APIC_ISR0 && msr < IA32_X2APIC_ISR0 + 8) {
        v = m_isr[msr - IA32_X2APIC_ISR0];
        return true;
    }
    if (msr >= IA32_X2APIC_TMR0 && msr < IA32_X2APIC_TMR0 + 8) {
        v = 0; // every interrupt here is edge-triggered
        return true;
    }
    if (msr >= IA32_X2APIC_IRR0 && msr < IA32_X2APIC_IRR0 + 8) {
        v = m_irr[msr - IA32_X2APIC_IRR0];
        return true;
    }
    if (int i = lvt_index(msr); i >= 0) {
        v = m_lvt[i];
        return true;
    }
    switch (msr) {
    case IA32_X2APIC_APICID:
        v = m_id;
        return true;
    case IA32_X2APIC_VERSION:
        v = 0x50014;
        return true; // version 0x14, 6 LVT entries (max LVT 5), like Bochs'
    case IA32_X2APIC_TPR:
        v = m_tpr;
        return true;
    case IA32_X2APIC_PPR:
        v = ppr();
        return true;
    case IA32_X2APIC_LDR:
        v = ((m_id >> 4) << 16) | (1u << (m_id & 15));
        return true; // SDM 11.12.10.2
    case IA32_X2APIC_SIVR:
        v = m_svr;
        return true;
    case IA32_X2APIC_ESR:
        v = m_esr;
        return true;
    case IA32_X2APIC_ICR:
        v = m_icr;
        return true;
    case IA32_X2APIC_INIT_COUNT:
        v = m_timer_initial;
        return true;
    case IA32_X2APIC_CUR_COUNT:
        v = 0;
        return true; // only the TSC-deadline mode is modelled
    case IA32_X2APIC_DIV_CONF:
        v = m_divide;
        return true;
    default:
        return false; // EOI and SELF_IPI are write-only; the rest are reserved
    }
}

bool VirtualLapic::write(uint32_t msr, uint64_t v) {
    if (msr == IA32_TSC_DEADLINE) {
        m_deadline = v; // 0 disarms (SDM 11.5.4.1)
        return true;
    }
    if (int i = lvt_index(msr); i >= 0) {
        m_lvt[i] = uint32_t(v);
        return true;
    }
    switch (msr) {
    case IA32_X2APIC_TPR:
        m_tpr = uint32_t(v) & 0xFF;
        return true;
    case IA32_X2APIC_EOI: {
        int s = highest(m_isr);
        if (s >= 0) clear(m_isr, uint8_t(s));
        return true;
    }
    case IA32_X2APIC_SIVR:
        m_svr = uint32_t(v);
        return true;
    case IA32_X2APIC_ESR:
        m_esr = 0;
        return true; // a write clears it
    case IA32_X2APIC_ICR:
        m_icr = v;
        m_icr_pending = true;
        return true;
    case IA32_X2APIC_INIT_COUNT:
        m_timer_initial = uint32_t(v);
        return true;
    case IA32_X2APIC_DIV_CONF:
        m_divide = uint32_t(v);
        return true;
    case IA32_X2APIC_SELF_IPI:
        deliver(uint8_t(v));
        return true;
    default:
        return false; // ID, VERSION, PPR, LDR, ISR, TMR, IRR and the current count are read-only
    }
}

} // namespace hv
