#pragma once
// The one error type of ocirt: an errno (0 when none applies) and a chain of
// context, outermost first, rendered as "ctx: ctx: detail: strerror".
#include <cerrno>
#include <exception>
#include <string>
#include <utility>

namespace ocirt {

class Error : public std::exception {
public:
    // A failure with no errno: a bad config value, a wrong state, ...
    explicit Error(std::string what) : errno_(0), what_(std::move(what)) {}
    // A failed system call: errno is kept and strerror is appended.
    Error(int err, std::string what);

    // An error whose text already says everything (e.g. received from the
    // container's init, strerror included): keeps errno, appends nothing.
    static Error preformatted(int err, std::string what) {
        Error e(std::move(what));
        e.errno_ = err;
        return e;
    }

    int code() const noexcept { return errno_; }
    const char* what() const noexcept override { return what_.c_str(); }

    // Prepends context: Error("mount /proc").wrap("rootfs") -> "rootfs: mount /proc".
    Error& wrap(const std::string& context);

private:
    int errno_;
    std::string what_;
};

// Throws Error(errno, what) built from the current errno.
[[noreturn]] void throw_errno(const std::string& what);

// Runs f and adds `context` to any Error it throws.
template <typename F>
decltype(auto) with_context(const std::string& context, F&& f) {
    try {
        return std::forward<F>(f)();
    } catch (Error& e) {
        e.wrap(context);
        throw;
    }
}

}  // namespace ocirt
