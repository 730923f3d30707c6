// Lab 8, step 3: vlibosd's dispatcher, in Linux. Contracts in libos/daemon/dispatcher.h; the
// handout (labs/lab8-delegation/README.md) walks through them. Until you write these, vlibosd
// reads no request and every delegated call times out.
#include "libos/daemon/dispatcher.h"

#include <unistd.h>

namespace vlibos {

Dispatcher::Dispatcher(uint8_t* region, Server& server, void (*doorbell)())
    : m_region(region), m_header(reinterpret_cast<ChannelHeader*>(region + HEADER_OFFSET)),
      m_server(server), m_doorbell(doorbell) {
    // TODO(lab 8): each slot's ring ends; the eventfd; a worker thread per slot
}

Dispatcher::~Dispatcher() {
    stop_workers();
    if (m_finished >= 0) close(m_finished);
}

void Dispatcher::stop_workers() {
    // TODO(lab 8): stop the workers (one may still be blocked in Linux)
}

bool Dispatcher::all_dead() const {
    return false; // TODO(lab 8)
}

uint8_t* Dispatcher::buffer_of(const Request& req) {
    (void)req;
    return nullptr; // TODO(lab 8)
}

void Dispatcher::respond(uint32_t caller, const Response& rsp) {
    (void)caller;
    (void)rsp; // TODO(lab 8)
}

void Dispatcher::work(uint32_t caller) {
    (void)caller; // TODO(lab 8)
}

int Dispatcher::turn() {
    return 0; // TODO(lab 8): one turn over the caller slots
}

} // namespace vlibos
