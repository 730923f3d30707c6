#include "libos/master/route.h"

namespace libos {

namespace {
constexpr const char* NAMES[] = {"files", "run", "sockets", "nop"};
static_assert(sizeof NAMES / sizeof NAMES[0] == size_t(Service::count));

/// True if @p a (not NUL-terminated, @p n bytes) is the string @p b.
bool same(const char* a, size_t n, const char* b) {
    size_t i = 0;
    for (; i < n && b[i]; ++i)
        if (a[i] != b[i]) return false;
    return i == n && b[i] == '\0';
}
} // namespace

Service service_of(vlibos::Op op) {
    switch (op) {
    case vlibos::OP_OPEN:
    case vlibos::OP_CLOSE:
    case vlibos::OP_READ:
    case vlibos::OP_WRITE:
    case vlibos::OP_LSEEK:
    case vlibos::OP_STAT:
    case vlibos::OP_UNLINK:
    case vlibos::OP_MKDIR:
    case vlibos::OP_READDIR:
        return Service::files;
    case vlibos::OP_RUN:
        return Service::run;
    case vlibos::OP_SOCKET:
    case vlibos::OP_BIND:
    case vlibos::OP_LISTEN:
    case vlibos::OP_CONNECT:
    case vlibos::OP_ACCEPT:
        return Service::sockets;
    default:
        return Service::nop;
    }
}

const char* service_name(Service s) {
    return size_t(s) < size_t(Service::count) ? NAMES[size_t(s)] : "?";
}

bool parse_routes(const char* text, Routes& out, const char** error) {
    out = Routes{};
    *error = nullptr;
    Routes r{};
    for (const char* p = text; p && *p;) {
        const char* item = p;
        while (*p && *p != ',')
            ++p;
        size_t n = size_t(p - item);
        if (*p == ',') ++p;
        size_t colon = 0;
        while (colon < n && item[colon] != ':')
            ++colon;
        if (colon == n || colon + 1 == n) {
            *error = "an item is not service:slave";
            return false;
        }
        unsigned slave = 0;
        for (size_t i = colon + 1; i < n; ++i) {
            if (item[i] < '0' || item[i] > '9' || slave > 25) {
                *error = "a slave number is not a small number";
                return false;
            }
            slave = slave * 10 + unsigned(item[i] - '0');
        }
        size_t s = 0;
        while (s < size_t(Service::count) && !same(item, colon, NAMES[s]))
            ++s;
        if (s == size_t(Service::count)) {
            *error = "unknown service (files, run, sockets, nop)";
            return false;
        }
        r.slave[s] = uint8_t(slave);
    }
    out = r;
    return true;
}

int routed_slave(const Routes& r, vlibos::Op op, unsigned slaves) {
    unsigned s = r.slave[size_t(service_of(op))];
    return s < slaves ? int(s) : -1;
}

bool takes_fd(vlibos::Op op) {
    switch (op) {
    case vlibos::OP_CLOSE:
    case vlibos::OP_READ:
    case vlibos::OP_WRITE:
    case vlibos::OP_LSEEK:
    case vlibos::OP_BIND:
    case vlibos::OP_LISTEN:
    case vlibos::OP_CONNECT:
    case vlibos::OP_ACCEPT:
        return true;
    default:
        return false;
    }
}

bool returns_fd(vlibos::Op op) {
    return op == vlibos::OP_OPEN || op == vlibos::OP_SOCKET || op == vlibos::OP_ACCEPT;
}

CallRoute route_call(const Routes& r, vlibos::Op op, int64_t arg0, unsigned slaves) {
    if (takes_fd(op)) {
        if (arg0 < 0 || arg0 / FD_STRIDE >= int64_t(slaves))
            return {-1, 0, -int64_t(vlibos::CE_BADF)};
        return {int(arg0 / FD_STRIDE), arg0 % FD_STRIDE, 0};
    }
    int s = routed_slave(r, op, slaves);
    if (s < 0) return {-1, 0, -int64_t(vlibos::CE_NOSYS)};
    return {s, 0, 0};
}

int64_t result_for_master(vlibos::Op op, unsigned slave, int64_t result) {
    if (!returns_fd(op) || result < 0) return result;
    if (result >= FD_STRIDE) return -int64_t(vlibos::CE_MFILE);
    return int64_t(slave) * FD_STRIDE + result;
}

} // namespace libos
