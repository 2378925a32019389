#include "ocirt/linux/exec.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {
namespace {

bool is_executable_file(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::faccessat(AT_FDCWD, p.c_str(), X_OK, AT_EACCESS) == 0;
}

}  // namespace

std::string find_executable(const std::string& arg0, const std::vector<std::string>& env) {
    const std::string shown = "exec: \"" + arg0 + "\"";
    if (arg0.find('/') != std::string::npos) {
        struct stat st;
        if (::stat(arg0.c_str(), &st) != 0) throw Error(errno, shown + ": stat " + arg0);
        if (S_ISDIR(st.st_mode)) throw Error(EACCES, shown + ": is a directory");
        if (::faccessat(AT_FDCWD, arg0.c_str(), X_OK, AT_EACCESS) != 0) throw Error(errno, shown);
        return arg0;
    }
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find(':', i);
        if (j == std::string::npos) j = path.size();
        std::string dir = path.substr(i, j - i);
        std::string cand = (dir.empty() ? "." : dir) + "/" + arg0;
        if (is_executable_file(cand)) return cand;
        i = j + 1;
    }
    throw Error(shown + ": executable file not found in $PATH");
}

Fd wait_for_start(int fifo, int proc_fd_dir) {
    // Opening a fifo for writing blocks until a reader opens it: `start`.
    int fd;
    do fd = ::openat(proc_fd_dir, std::to_string(fifo).c_str(), O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw_errno("open exec.fifo");
    Fd w(fd);
    // The name was resolved in the container: it must still be our fifo.
    struct stat a, b;
    if (::fstat(w.get(), &a) != 0 || ::fstat(fifo, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        throw Error("exec.fifo: /proc/self/fd in the container does not lead to it");
    return w;
}

void confirm_start(const Fd& fifo) {
    if (::write(fifo.get(), "0", 1) != 1) throw_errno("write exec.fifo");
}

void report_start_failure(const Fd& fifo, const std::string& message) {
    // One write of at most PIPE_BUF bytes: `start` reads it whole.
    std::string m = "E" + message.substr(0, 4000);
    (void)!::write(fifo.get(), m.data(), m.size());
}

void exec_process(const std::string& path, const std::vector<std::string>& args,
                  const std::vector<std::string>& env) {
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    ::execve(path.c_str(), argv.data(), envp.data());
    throw Error(errno, "exec: \"" + args[0] + "\"");
}

}  // namespace ocirt::linux_
