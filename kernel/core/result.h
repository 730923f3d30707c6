// Result<T>: the kernel's return type for operations that can fail in an expected way.
//
// Expected failures (a corrupt table, no free memory, a bad argument) are values, not panics:
// a function returns Result<T> and the caller decides. Broken invariants use PANIC/ASSERT.
// Modelled on SerenityOS's ErrorOr<T>; no exceptions, no heap, usable on the host too.
#pragma once

#include <stdint.h>

namespace kern {

/// Why an operation failed. Codes are stable: tests and `@@` lines print them by name.
enum class Errc : uint8_t {
    ok = 0,
    invalid_argument, ///< an argument is out of range or malformed
    no_memory,        ///< no free frame or heap block
    not_found,        ///< the thing looked up is not there (a table, a tag, a mapping)
    already_exists,   ///< e.g. mapping an address that is already mapped
    corrupt,          ///< a structure failed its checksum or length checks
    unsupported,      ///< the hardware or firmware lacks a needed feature
    timeout,          ///< a device or another CPU did not answer in time
};

/// Name of an error code, for diagnostics.
const char* errc_name(Errc e);

/// A failure: a code plus a static message saying what exactly was wrong.
struct Error {
    Errc code;        ///< what kind of failure; never Errc::ok in a returned Error
    const char* what; ///< static string, never freed
};

/// Either a T or an Error. T must be default-constructible and copyable.
template <typename T> class [[nodiscard]] Result {
  public:
    /// A success holding @p value.
    Result(const T& value) : m_value(value), m_error{Errc::ok, ""} {}
    /// A failure; value() is then a default-constructed T.
    Result(Error error) : m_value(), m_error(error) {}

    /// True on success.
    bool ok() const { return m_error.code == Errc::ok; }
    /// Same as ok().
    explicit operator bool() const { return ok(); }
    /// The value; meaningful only if ok().
    const T& value() const { return m_value; }
    /// The value; meaningful only if ok().
    T& value() { return m_value; }
    /// The failure; its code is Errc::ok on success.
    const Error& error() const { return m_error; }

  private:
    T m_value;
    Error m_error;
};

/// Result<void>: success or an Error.
template <> class [[nodiscard]] Result<void> {
  public:
    /// Success.
    Result() : m_error{Errc::ok, ""} {}
    /// A failure.
    Result(Error error) : m_error(error) {}
    /// True on success.
    bool ok() const { return m_error.code == Errc::ok; }
    /// Same as ok().
    explicit operator bool() const { return ok(); }
    /// The failure; its code is Errc::ok on success.
    const Error& error() const { return m_error; }

  private:
    Error m_error;
};

} // namespace kern

/// Evaluate a Result-returning expression; on failure return its Error from the caller.
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto _try_result = (expr);                                                                 \
        if (!_try_result.ok()) return _try_result.error();                                         \
        _try_result.value();                                                                       \
    })

/// Like TRY for Result<void>.
#define TRY_VOID(expr)                                                                             \
    do {                                                                                           \
        auto _try_result = (expr);                                                                 \
        if (!_try_result.ok()) return _try_result.error();                                         \
    } while (0)
