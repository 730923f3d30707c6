#include "libos/daemon/server.h"

#include "libos/channel/validate.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace vlibos {

Server::Server() {
    for (int& fd : m_fds)
        fd = -1;
}

Server::~Server() {
    for (int fd : m_fds)
        if (fd >= 0) close(fd);
}

int Server::free_slot() const {
    std::lock_guard<std::mutex> g(m_lock);
    for (int slot = 0; slot < MAX_FILES; ++slot)
        if (m_fds[slot] < 0) return slot;
    return -1;
}

int Server::take_slot(int fd) {
    std::lock_guard<std::mutex> g(m_lock);
    for (int slot = 0; slot < MAX_FILES; ++slot)
        if (m_fds[slot] < 0) {
            m_fds[slot] = fd;
            return slot;
        }
    close(fd); // another thread took the last slot meanwhile
    return -EMFILE;
}

int Server::release_slot(int64_t slot) {
    std::lock_guard<std::mutex> g(m_lock);
    if (slot < 0 || slot >= MAX_FILES || m_fds[slot] < 0) return -1;
    int fd = m_fds[slot];
    m_fds[slot] = -1;
    return fd;
}

int Server::linux_fd(int64_t fd) const {
    std::lock_guard<std::mutex> g(m_lock);
    return fd >= 0 && fd < MAX_FILES ? m_fds[fd] : -1;
}

bool Server::may_block(const Request& req) const {
    short events = 0;
    switch (req.op) {
    case OP_RUN:
    case OP_CONNECT:
    case OP_OPEN:
        return true;
    case OP_READ:
    case OP_ACCEPT:
        events = POLLIN;
        break;
    case OP_WRITE:
        events = POLLOUT;
        break;
    default: // the others return at once
        return false;
    }
    int fd = linux_fd(req.args[0]);
    if (fd < 0) return false; // answered with EBADF at once
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, 0) != 1; // ready (or an error to report) now: it will not block
}

namespace {
/// The calling thread's CPU time so far, in nanoseconds.
uint64_t thread_cpu_ns() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

/// A process's user and system time from its rusage, in nanoseconds.
uint64_t rusage_ns(const rusage& u) {
    return (uint64_t(u.ru_utime.tv_sec) + uint64_t(u.ru_stime.tv_sec)) * 1000000000u +
           (uint64_t(u.ru_utime.tv_usec) + uint64_t(u.ru_stime.tv_usec)) * 1000u;
}
} // namespace

int64_t Server::run(const char* command, uint8_t* out, uint32_t& len, uint64_t& cpu_ns) {
    cpu_ns = 0;
    int pipefd[2];
    if (pipe(pipefd) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        return -e;
    }
    if (pid == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        execl("/bin/sh", "sh", "-c", command, static_cast<char*>(nullptr));
        _exit(127);
    }
    close(pipefd[1]);
    // Collect output (what does not fit is read and dropped, so the child never blocks on a
    // full pipe), until the child closes it or the time is up.
    len = 0;
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool timed_out = false;
    for (;;) {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = RUN_TIMEOUT_S * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
                                               (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left_ms <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{pipefd[0], POLLIN, 0};
        if (::poll(&p, 1, int(left_ms)) <= 0) continue;
        uint8_t scratch[512];
        uint8_t* dst = len < BUFFER_BYTES ? out + len : scratch;
        size_t room = len < BUFFER_BYTES ? BUFFER_BYTES - len : sizeof scratch;
        ssize_t n = read(pipefd[0], dst, room);
        if (n <= 0) break;
        if (dst != scratch) len += uint32_t(n);
    }
    close(pipefd[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) < 0) return -errno;
    cpu_ns = rusage_ns(usage); // the shell's (its children's too, once it has waited for them)
    if (timed_out) return -CE_TIMEDOUT;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Response Server::serve(const Request& req, uint32_t caller, uint8_t* shared) {
    // The thread's CPU clock is a system call (~800 cycles each in Bochs): the null call, which
    // measures the channel's own cost and does nothing in Linux, is not timed.
    bool timed = req.op != OP_NOP;
    uint64_t cpu_at_start = timed ? thread_cpu_ns() : 0;
    uint64_t children_ns = 0; // a RUN's processes
    Response rsp{};
    rsp.seq = req.seq;
    rsp.op = req.op;
    rsp.buffer = req.buffer;
    // The payload, copied out before it is checked: the master cannot change it under us.
    static thread_local uint8_t payload[BUFFER_BYTES];
    uint32_t in_len = req.len <= BUFFER_BYTES ? req.len : 0;
    std::memcpy(payload, shared, in_len);
    int64_t bad = check_request(req, caller, payload);
    if (bad) {
        __atomic_fetch_add(&m_malformed, 1, __ATOMIC_RELAXED);
        rsp.result = bad;
        return rsp;
    }
    const char* path = reinterpret_cast<const char*>(payload);
    int64_t r = 0;
    uint32_t out_len = 0;
    switch (req.op) {
    case OP_NOP:
        r = 0;
        break;
    case OP_OPEN: {
        if (free_slot() < 0) {
            r = -EMFILE;
            break;
        }
        int fd = open(path, int(req.args[0]) | O_CLOEXEC, mode_t(req.args[1]));
        r = fd < 0 ? -errno : take_slot(fd);
        break;
    }
    case OP_CLOSE: {
        int fd = release_slot(req.args[0]);
        if (fd < 0) {
            r = -EBADF;
            break;
        }
        r = close(fd) == 0 ? 0 : -errno;
        break;
    }
    case OP_READ: {
        int fd = linux_fd(req.args[0]);
        if (fd < 0) {
            r = -EBADF;
            break;
        }
        ssize_t n = read(fd, shared, size_t(req.args[1]));
        r = n < 0 ? -errno : n;
        out_len = n > 0 ? uint32_t(n) : 0;
        break;
    }
    case OP_WRITE: {
        int fd = linux_fd(req.args[0]);
        if (fd < 0) {
            r = -EBADF;
            break;
        }
        ssize_t n = write(fd, payload, req.len);
        r = n < 0 ? -errno : n;
        break;
    }
    case OP_LSEEK: {
        int fd = linux_fd(req.args[0]);
        if (fd < 0) {
            r = -EBADF;
            break;
        }
        off_t o = lseek(fd, off_t(req.args[1]), int(req.args[2]));
        r = o < 0 ? -errno : o;
        break;
    }
    case OP_STAT: {
        struct stat st {};
        if (stat(path, &st) != 0) {
            r = -errno;
            break;
        }
        StatResult s{uint64_t(st.st_size), uint32_t(st.st_mode), uint32_t(st.st_nlink),
                     int64_t(st.st_mtime)};
        std::memcpy(shared, &s, sizeof s);
        out_len = sizeof s;
        break;
    }
    case OP_UNLINK:
        r = unlink(path) == 0 ? 0 : -errno;
        break;
    case OP_MKDIR:
        r = mkdir(path, mode_t(req.args[0])) == 0 ? 0 : -errno;
        break;
    case OP_READDIR: {
        DIR* d = opendir(path);
        if (!d) {
            r = -errno;
            break;
        }
        int64_t skip = req.args[0], count = 0;
        while (dirent* e = readdir(d)) {
            if (skip > 0) {
                --skip;
                continue;
            }
            size_t n = std::strlen(e->d_name) + 1;
            if (out_len + n > BUFFER_BYTES) break;
            std::memcpy(shared + out_len, e->d_name, n);
            out_len += uint32_t(n);
            ++count;
        }
        closedir(d);
        r = count;
        break;
    }
    case OP_RUN: {
        static thread_local uint8_t output[BUFFER_BYTES];
        r = run(path, output, out_len, children_ns);
        std::memcpy(shared, output, out_len);
        if (r < 0) out_len = 0;
        break;
    }
    case OP_SOCKET: {
        if (free_slot() < 0) {
            r = -EMFILE;
            break;
        }
        int fd =
            socket(AF_INET, (int(req.args[0]) == 1 ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
        r = fd < 0 ? -errno : take_slot(fd);
        break;
    }
    case OP_BIND:
    case OP_CONNECT: {
        int fd = linux_fd(req.args[0]);
        if (fd < 0) {
            r = -EBADF;
            break;
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(req.args[1]));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // the slave's loopback only
        int rc = req.op == OP_BIND ? bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a)
                                   : connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        r = rc == 0 ? 0 : -errno;
        break;
    }
    case OP_LISTEN: {
        int fd = linux_fd(req.args[0]);
        r = fd < 0 ? -EBADF : listen(fd, int(req.args[1])) == 0 ? 0 : -errno;
        break;
    }
    case OP_ACCEPT: {
        int fd = linux_fd(req.args[0]);
        if (fd < 0 || free_slot() < 0) {
            r = fd < 0 ? -EBADF : -EMFILE;
            break;
        }
        int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        r = c < 0 ? -errno : take_slot(c);
        break;
    }
    default:
        r = -CE_NOSYS;
        break;
    }
    rsp.result = r;
    rsp.len = r < 0 ? 0 : out_len;
    rsp.service_ns = timed ? thread_cpu_ns() - cpu_at_start + children_ns : 0;
    return rsp;
}

} // namespace vlibos
