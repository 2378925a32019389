#pragma once
// Logging: spdlog with ocirt's own synchronous sinks (no threads: the runtime
// clones its init child and must be single-threaded then). Without --log,
// warnings and errors go to stderr; with --log FILE they go to FILE in text or
// runc's JSON line format ({"level":"error","msg":"...","time":"..."}).
#include <spdlog/spdlog.h>

#include <string>

namespace ocirt::log {

enum class Format { text, json };

// Called once by main before anything is logged. `file` empty: stderr.
void init(const std::string& file, Format format, bool debug);

// The fd the log lines go to (-1 before init): a process that closes the fds
// it inherited keeps this one.
int fd();

// Closes the sink's fd; later messages are dropped. For the init, which
// outlives `create`: the sink is a copy of the caller's stderr (or a --log
// file the caller may read through a pipe), and holding it would keep whoever
// reads create's output ($(ocirt create ...)) waiting for end-of-file until
// the container exits. runc's init closes its log pipe at the same point.
void close_sink();

}  // namespace ocirt::log
