#include "hypervisor/core/slave/ept_sink.h"

namespace hv {

Result<EptSink> EptSink::create(FrameSource& frames, PhysAccess& phys) {
    EptSink s;
    s.m_frames = &frames;
    s.m_phys = &phys;
    for (int i = 0; i < 4; ++i) {
        auto f = frames.alloc_zeroed_frame();
        if (!f.ok()) {
            for (int j = 0; j < i; ++j)
                frames.free_frame(s.m_junk[j]);
            return f.error();
        }
        s.m_junk[i] = f.value();
    }
    // Level 1 (PT) entries -> the junk page, read/write, no execute, write-back.
    auto* pt = static_cast<uint64_t*>(phys.to_virt(s.m_junk[1]));
    for (unsigned i = 0; i < EPT_ENTRIES; ++i)
        pt[i] = EptEntry::leaf(s.m_junk[0], EPT_READ | EPT_WRITE, EptMemoryType::write_back, false)
                    .raw();
    // Levels 2 and 3 (PD, PDPT): every entry -> the junk table one level down.
    for (int lvl = 2; lvl <= 3; ++lvl) {
        auto* t = static_cast<uint64_t*>(phys.to_virt(s.m_junk[lvl]));
        for (unsigned i = 0; i < EPT_ENTRIES; ++i)
            t[i] = EptEntry::table(s.m_junk[lvl - 1]).raw();
    }
    return s;
}

bool EptSink::is_junk(uint64_t phys) const {
    for (uint64_t j : m_junk)
        if (j == phys) return true;
    return false;
}

Result<void> EptSink::absorb(Ept& ept, uint64_t gpa) {
    if (gpa >= EPT_GPA_LIMIT)
        return Error{Errc::invalid_argument, "guest-physical address beyond the EPT's 48 bits"};
    uint64_t table = ept.root();
    for (int level = 4; level >= 1; --level) {
        auto* t = static_cast<uint64_t*>(m_phys->to_virt(table));
        EptEntry e(t[ept_index(gpa, level)]);
        if (!e.present()) {
            // Level 1: the junk page itself; above: the junk table of the level below.
            t[ept_index(gpa, level)] = level == 1 ? EptEntry::leaf(m_junk[0], EPT_READ | EPT_WRITE,
                                                                   EptMemoryType::write_back, false)
                                                        .raw()
                                                  : EptEntry::table(m_junk[level - 1]).raw();
            ++m_absorbed;
            return {};
        }
        if (level == 1 || e.large())
            return Error{Errc::already_exists,
                         "the address is mapped: a permission violation, not a hole"};
        table = e.address();
    }
    return Error{Errc::already_exists, "the address is mapped"};
}

void EptSink::unlink(uint64_t table, int level) {
    auto* t = static_cast<uint64_t*>(m_phys->to_virt(table));
    for (unsigned i = 0; i < EPT_ENTRIES; ++i) {
        EptEntry e(t[i]);
        if (!e.present()) continue;
        if (is_junk(e.address())) {
            t[i] = 0;
            continue;
        }
        if (level > 1 && !e.large()) unlink(e.address(), level - 1);
    }
}

void EptSink::release(Ept& ept) {
    if (!m_frames) return;
    if (ept.root()) unlink(ept.root(), 4);
    for (uint64_t& j : m_junk) {
        m_frames->free_frame(j);
        j = 0;
    }
    m_frames = nullptr;
}

} // namespace hv
