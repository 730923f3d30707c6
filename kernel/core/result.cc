#include "core/result.h"

namespace kern {

const char* errc_name(Errc e) {
    switch (e) {
    case Errc::ok:
        return "ok";
    case Errc::invalid_argument:
        return "invalid_argument";
    case Errc::no_memory:
        return "no_memory";
    case Errc::not_found:
        return "not_found";
    case Errc::already_exists:
        return "already_exists";
    case Errc::corrupt:
        return "corrupt";
    case Errc::unsupported:
        return "unsupported";
    case Errc::timeout:
        return "timeout";
    }
    return "unknown";
}

} // namespace kern
