#include "hypervisor/core/slave/vlapic.h"

namespace hv {

namespace {
constexpr uint32_t TSC_DEADLINE = 0x6E0;
constexpr uint32_t X2APIC = 0x800;
// x2APIC MSR numbers (SDM Vol 3A Table 11-6).
enum : uint32_t {
    ID = 0x802,
    VERSION = 0x803,
    TPR = 0x808,
    PPR = 0x80A,
    EOI = 0x80B,
    LDR = 0x80D,
    SVR = 0x80F,
    ISR0 = 0x810,
    TMR0 = 0x818,
    IRR0 = 0x820,
    ESR = 0x828,
    LVT_CMCI = 0x82F,
    ICR = 0x830,
    LVT_TIMER = 0x832,
    LVT_ERROR = 0x837,
    TIMER_INITIAL = 0x838,
    TIMER_CURRENT = 0x839,
    DIVIDE = 0x83E,
    SELF_IPI = 0x83F,
};
constexpr uint32_t LVT_MASKED = 1u << 16;
constexpr uint32_t TIMER_MODE_TSC_DEADLINE = 2u << 17;

/// LVT index: 0 = CMCI (0x82F), 1 = timer (0x832) ... 6 = error (0x837).
int lvt_index(uint32_t msr) {
    if (msr == LVT_CMCI) return 0;
    if (msr >= LVT_TIMER && msr <= LVT_ERROR) return int(msr - LVT_TIMER) + 1;
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
    return msr == TSC_DEADLINE || (msr >= X2APIC && msr <= X2APIC + 0xFF);
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
    if (!(m_svr & (1u << 8))) // software-disabled
        return -1;
    int v = highest(m_irr);
    if (v < 0 || (uint32_t(v) & 0xF0) <= (ppr() & 0xF0)) return -1;
    return v;
}

void VirtualLapic::accept(uint8_t vector) {
    clear(m_irr, vector);
    set(m_isr, vector);
}

void VirtualLapic::raise(uint8_t vector) {
    if (vector >= 16)
        set(m_irr, vector);
    else
        m_esr |= 1u << 6; // "received illegal vector"
}

void VirtualLapic::tick(uint64_t now) {
    uint32_t lvt = m_lvt[1];
    if (m_deadline && now >= m_deadline && (lvt & (3u << 17)) == TIMER_MODE_TSC_DEADLINE) {
        m_deadline = 0; // one shot: the guest writes the next deadline
        if (!(lvt & LVT_MASKED)) raise(uint8_t(lvt & 0xFF));
    }
}

uint64_t VirtualLapic::take_icr() {
    uint64_t v = m_icr_pending ? m_icr : 0;
    m_icr_pending = false;
    return v;
}

bool VirtualLapic::read(uint32_t msr, uint64_t& v) const {
    if (msr == TSC_DEADLINE) {
        v = m_deadline;
        return true;
    }
    if (msr >= ISR0 && msr < ISR0 + 8) {
        v = m_isr[msr - ISR0];
        return true;
    }
    if (msr >= TMR0 && msr < TMR0 + 8) {
        v = 0; // every interrupt here is edge-triggered
        return true;
    }
    if (msr >= IRR0 && msr < IRR0 + 8) {
        v = m_irr[msr - IRR0];
        return true;
    }
    if (int i = lvt_index(msr); i >= 0) {
        v = m_lvt[i];
        return true;
    }
    switch (msr) {
    case ID:
        v = m_id;
        return true;
    case VERSION:
        v = 0x50014;
        return true; // version 0x14, 6 LVT entries (max LVT 5), like Bochs'
    case TPR:
        v = m_tpr;
        return true;
    case PPR:
        v = ppr();
        return true;
    case LDR:
        v = ((m_id >> 4) << 16) | (1u << (m_id & 15));
        return true; // SDM 11.12.10.2
    case SVR:
        v = m_svr;
        return true;
    case ESR:
        v = m_esr;
        return true;
    case ICR:
        v = m_icr;
        return true;
    case TIMER_INITIAL:
        v = m_timer_initial;
        return true;
    case TIMER_CURRENT:
        v = 0;
        return true; // only the TSC-deadline mode is modelled
    case DIVIDE:
        v = m_divide;
        return true;
    default:
        return false; // EOI and SELF_IPI are write-only; the rest are reserved
    }
}

bool VirtualLapic::write(uint32_t msr, uint64_t v) {
    if (msr == TSC_DEADLINE) {
        m_deadline = v; // 0 disarms (SDM 11.5.4.1)
        return true;
    }
    if (int i = lvt_index(msr); i >= 0) {
        m_lvt[i] = uint32_t(v);
        return true;
    }
    switch (msr) {
    case TPR:
        m_tpr = uint32_t(v) & 0xFF;
        return true;
    case EOI: {
        int s = highest(m_isr);
        if (s >= 0) clear(m_isr, uint8_t(s));
        return true;
    }
    case SVR:
        m_svr = uint32_t(v);
        return true;
    case ESR:
        m_esr = 0;
        return true; // a write clears it
    case ICR:
        m_icr = v;
        m_icr_pending = true;
        return true;
    case TIMER_INITIAL:
        m_timer_initial = uint32_t(v);
        return true;
    case DIVIDE:
        m_divide = uint32_t(v);
        return true;
    case SELF_IPI:
        raise(uint8_t(v));
        return true;
    default:
        return false; // ID, VERSION, PPR, LDR, ISR, TMR, IRR and the current count are read-only
    }
}

} // namespace hv
