// Lab 8, step 2: one delegated call on a caller slot (contracts in libos/master/call.h).
#include "libos/master/call.h"

#include "libos/channel/validate.h"

namespace libos {

using namespace vlibos;

namespace {
int64_t end(CallReport& report, CallEnd how, int64_t result) {
    report.end = how;
    return result;
}
} // namespace

int64_t call_on_slot(CallerSlot& slot, const CallArgs& call, uint64_t timeout, CallEnv& env,
                     CallReport& report) {
    if (slot.corrupt) return end(report, CallEnd::rejected, -CE_PROTO);
    if (call.payload_len > BUFFER_BYTES) return end(report, CallEnd::rejected, -CE_INVAL);
    uint64_t deadline = env.now() + timeout;
    Request req{};
    req.seq = ++slot.seq;
    if (req.seq == 0) req.seq = ++slot.seq; // 0 means "none" in `unanswered`
    req.op = uint16_t(call.op);
    req.buffer = slot.index * BUFFERS_PER_CALLER + req.seq % BUFFERS_PER_CALLER;
    req.len = call.payload_len;
    for (int i = 0; i < 6; ++i)
        req.args[i] = call.args ? call.args[i] : 0;
    if (call.payload_len) __builtin_memcpy(env.buffer(req.buffer), call.payload, call.payload_len);

    for (;;) { // the daemon may have SLOTS requests of this slot still to read
        RingStatus s = slot.requests.push(req);
        if (s == RingStatus::ok) break;
        if (s == RingStatus::corrupt) {
            slot.corrupt = true;
            return end(report, CallEnd::rejected, -CE_PROTO);
        }
        if (!env.slave_up()) return end(report, CallEnd::not_connected, -CE_NOTCONN);
        if (env.now() >= deadline) return end(report, CallEnd::timed_out, -CE_TIMEDOUT);
        if (!env.wait(deadline)) return end(report, CallEnd::not_connected, -CE_NOTCONN);
    }
    env.pushed();

    for (;;) {
        Response rsp;
        RingStatus s = slot.responses.pop(rsp);
        if (s == RingStatus::ok) {
            if (rsp.seq != req.seq) { // a timed-out call's late answer
                ++report.stale;
                continue;
            }
            if (int64_t bad = check_response(req, rsp)) return end(report, CallEnd::rejected, bad);
            uint32_t n = rsp.len < call.out_cap ? rsp.len : call.out_cap;
            if (!call.out) n = 0;
            if (n) __builtin_memcpy(call.out, env.buffer(req.buffer), n);
            if (call.out_len) *call.out_len = n;
            report.service_ns = rsp.service_ns;
            return end(report, CallEnd::answered, rsp.result);
        }
        if (s == RingStatus::corrupt) {
            slot.corrupt = true;
            return end(report, CallEnd::rejected, -CE_PROTO);
        }
        if (!env.slave_up()) return end(report, CallEnd::not_connected, -CE_NOTCONN);
        if (env.now() >= deadline) {
            slot.unanswered = req.seq; // its answer may still come: drained before reuse
            return end(report, CallEnd::timed_out, -CE_TIMEDOUT);
        }
        if (!env.wait(deadline)) return end(report, CallEnd::not_connected, -CE_NOTCONN);
    }
}

bool drain_slot(CallerSlot& slot, uint32_t& stale) {
    if (slot.corrupt) return false;
    Response rsp;
    RingStatus s;
    while ((s = slot.responses.pop(rsp)) == RingStatus::ok) {
        ++stale;
        if (rsp.seq == slot.unanswered) slot.unanswered = 0;
    }
    if (s == RingStatus::corrupt) slot.corrupt = true;
    return !slot.corrupt && slot.unanswered == 0;
}

uint64_t call_charge(uint64_t service_ns, uint64_t waited, uint64_t tsc_hz) {
    if (service_ns >= 100000000000ull) return waited;
    uint64_t service = service_ns * (tsc_hz / 1000) / 1000000;
    return service < waited ? service : waited;
}

WaitPlan plan_wait(WaitMode mode, uint64_t now, uint64_t deadline, uint64_t interval,
                   uint64_t max_interval, uint64_t doorbell_fallback) {
    WaitPlan p;
    p.next_interval = interval;
    if (mode == WaitMode::spin) return p;
    p.sleep = true;
    if (mode == WaitMode::doorbell) {
        p.until_doorbell = true;
        p.until = now + doorbell_fallback;
    } else {
        p.until = now + interval;
        p.next_interval = interval * 2 <= max_interval ? interval * 2 : max_interval;
    }
    if (p.until > deadline) p.until = deadline;
    return p;
}

} // namespace libos
