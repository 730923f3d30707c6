// Checking messages from the other side of the channel (protocol.h). Each side validates a
// private copy of every message before acting on it (ring.h copies slots out; bulk data is
// copied out of the shared buffer first, too), so what is checked is what is used.
//
//   vlibosd:  check_request()  on every request, before it touches Linux
//   master:   check_response() on every response, before it returns anything to the caller
//
// Pure and freestanding: the master kernel, the daemon, the host tests and the fuzzers use them.
#pragma once

#include "libos/channel/protocol.h"

namespace vlibos {

/// Lab 8, step 3 (libos/channel/check_request.cc). Check request @p r, which came on caller slot @p
/// caller's request ring, whose payload (r.len bytes, copied out of its shared buffer) is at @p
/// payload. Returns 0, or the -errno the daemon answers with:
///  - -CE_PROTO: flags not 0, a buffer that is not one of the caller slot's
///    (caller_owns_buffer), len > BUFFER_BYTES;
///  - -CE_NOSYS: an unknown op;
///  - -CE_NAMETOOLONG: a path (OPEN, STAT, UNLINK, MKDIR, READDIR) longer than PATH_MAX_BYTES;
///  - -CE_INVAL: a path or command that is empty, not NUL-terminated at len - 1 or with a NUL
///    inside; OPEN flags outside OPEN_FLAGS_ALLOWED or a mode above 07777; a READ count
///    outside [0, BUFFER_BYTES]; a WRITE whose args[1] is not len; LSEEK whence not 0-2;
///    a READDIR skip below 0; a port outside 1-65535 or a listen backlog outside 0-128;
///  - -CE_ACCES: a socket type other than stream (1) or datagram (2);
///  - -CE_BADF: an fd argument below 0 (the daemon's own table decides the rest).
int64_t check_request(const Request& r, uint32_t caller, const uint8_t* payload);

/// Lab 8, step 1 (libos/channel/check_response.cc). Check response @p got to request @p sent.
/// Returns 0, or -CE_PROTO for a response that does not answer @p sent (seq, op, buffer), has flags
/// set, a result below -4095, a len that does not fit the buffer, or a result the operation cannot
/// produce: a READ returning more than it asked for or a len different from its result, a WRITE
/// claiming more than was sent, an OPEN returning no fd, a STAT without a StatResult, data from an
/// operation that returns none, or data with an error.
int64_t check_response(const Request& sent, const Response& got);

} // namespace vlibos
