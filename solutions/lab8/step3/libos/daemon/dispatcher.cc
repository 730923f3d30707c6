#include "libos/daemon/dispatcher.h"

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace vlibos {

Dispatcher::Dispatcher(uint8_t* region, Server& server, void (*doorbell)())
    : m_region(region), m_header(reinterpret_cast<ChannelHeader*>(region + HEADER_OFFSET)),
      m_server(server), m_doorbell(doorbell) {
    m_finished = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    // Workers leave SIGTERM and SIGINT to the main thread, whose loop then stops.
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    try {
        for (uint32_t c = 0; c < CALLERS; ++c) {
            Slot& s = m_slots[c];
            s.requests = RingConsumer<Request>(region + request_ring_offset(c));
            s.responses = RingProducer<Response>(region + response_ring_offset(c));
            s.worker = std::thread([this, c] { work(c); });
        }
    } catch (...) { // no thread for one (a task limit): stop those started before giving up
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        stop_workers();
        if (m_finished >= 0) close(m_finished);
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void Dispatcher::stop_workers() {
    m_stop = true;
    for (Slot& s : m_slots) {
        {
            std::lock_guard<std::mutex> g(s.lock);
            s.cv.notify_all();
        }
        if (!s.worker.joinable()) continue;
        if (s.busy)
            s.worker.detach(); // blocked in Linux: the process's exit ends it
        else
            s.worker.join();
    }
}

Dispatcher::~Dispatcher() {
    stop_workers();
    if (m_finished >= 0) close(m_finished);
}

bool Dispatcher::all_dead() const {
    for (const Slot& s : m_slots)
        if (!s.dead) return false;
    return true;
}

uint8_t* Dispatcher::buffer_of(const Request& req) {
    // A buffer index out of range is refused by serve() (check_request) before it is used:
    // the payload copy then reads this instead. Per thread: workers serve at the same time.
    static thread_local uint8_t scratch[BUFFER_BYTES];
    return req.buffer < BUFFERS ? m_region + BUFFERS_OFFSET + uint64_t(req.buffer) * BUFFER_BYTES
                                : scratch;
}

void Dispatcher::respond(uint32_t caller, const Response& rsp) {
    Slot& s = m_slots[caller];
    RingStatus p;
    // Full: the master has not read 64 responses of this slot. Only a master that stopped
    // reading does that (it waits for each call); its own slot waits, nobody else.
    while ((p = s.responses.push(rsp)) == RingStatus::full && !m_stop)
        sched_yield();
    if (p == RingStatus::corrupt) {
        if (!s.dead.exchange(true))
            std::printf("vlibosd: caller slot %u: the response ring is corrupt; not served any "
                        "more\n",
                        caller);
        return;
    }
    ++m_served;
    if (m_doorbell) {
        __atomic_fetch_add(&m_header->doorbells, 1, __ATOMIC_RELAXED);
        m_doorbell();
    }
}

void Dispatcher::work(uint32_t caller) {
    Slot& s = m_slots[caller];
    for (;;) {
        Request req;
        {
            std::unique_lock<std::mutex> g(s.lock);
            s.cv.wait(g, [&] { return s.has_pending || m_stop; });
            if (m_stop) return;
            req = s.pending;
            s.has_pending = false;
        }
        respond(caller, m_server.serve(req, caller, buffer_of(req)));
        s.busy.store(false, std::memory_order_release); // the dispatcher may take the next one
        uint64_t one = 1;
        (void)!write(m_finished, &one, sizeof one);
    }
}

int Dispatcher::turn() {
    int taken = 0;
    for (uint32_t i = 0; i < CALLERS; ++i) {
        uint32_t c = (m_next + i) % CALLERS;
        Slot& s = m_slots[c];
        if (s.dead.load(std::memory_order_relaxed) || s.busy.load(std::memory_order_acquire))
            continue; // its previous call is still being served: its next one waits (FIFO)
        Request req;
        RingStatus st = s.requests.pop(req);
        if (st == RingStatus::empty) continue;
        if (st == RingStatus::corrupt) {
            s.dead = true;
            std::printf("vlibosd: caller slot %u: the request ring is corrupt (the master's index "
                        "is impossible); not served any more\n",
                        c);
            continue;
        }
        ++taken;
        if (caller_owns_buffer(c, req.buffer) && m_server.may_block(req)) {
            ++m_handed;
            s.busy.store(true, std::memory_order_relaxed);
            std::lock_guard<std::mutex> g(s.lock);
            s.pending = req;
            s.has_pending = true;
            s.cv.notify_one();
            continue;
        }
        respond(c, m_server.serve(req, c, buffer_of(req)));
    }
    m_next = (m_next + 1) % CALLERS;
    return taken;
}

} // namespace vlibos
