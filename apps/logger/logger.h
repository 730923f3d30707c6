// What a run of the logger found, for its report and for checks of it: the logger hands its
// result to the checks its test part (apps/logger/test/) registers, at each stage of the run.
#pragma once

#include <stdint.h>

namespace logger {

/// How far the run got when its result is handed on.
enum class Stage {
    open_failed,  ///< the first delegated call, open(), failed: nothing was logged
    logged,       ///< the samples were logged and read back
    hostile_done, ///< then (`hostile`) the hostile daemon's lies were met
};

/// The facts of a run; which fields are meaningful depends on `stage`.
struct Result {
    Stage stage;
    const char* file;       ///< the log file in Linux
    int64_t open_status;    ///< the first open()'s fd, or -errno
    uint64_t samples;       ///< samples asked for
    uint64_t misses;        ///< releases the sampler did not run at in time
    uint64_t write_errors;  ///< samples lost or not written whole
    uint64_t lines;         ///< lines read back from the file
    uint64_t bytes;         ///< bytes read back
    int64_t stat_status;    ///< stat() of the file: 0 or -errno
    uint64_t stat_size;     ///< the size stat() gave
    bool hostile_contained; ///< every lie refused in time, the master's memory untouched
};

/// Have `fn` called with the result at each stage (at most one function: the test part's).
void on_result(void (*fn)(const Result&));

} // namespace logger
