#include "ocirt/ps.hpp"

#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt {
namespace {

// allow_none: ps's status 1 with -q means none of the listed pids is left (they exited after
// the cgroup was read): the header alone, not an error.
std::string run_ps(const std::vector<std::string>& args, bool allow_none = false) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe for ps");
    Fd rd(p[0]), wr(p[1]);
    std::vector<char*> argv{const_cast<char*>("ps")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork ps");
    if (pid == 0) {
        ::dup2(wr.get(), 1);
        ::execvp("ps", argv.data());
        ::_exit(127);
    }
    wr.reset();
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(rd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) out.append(buf, static_cast<size_t>(n));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (allow_none && WIFEXITED(status) && WEXITSTATUS(status) == 1) return out;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("ps " + (args.empty() ? std::string() : args[0]) + ": failed (exit status " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")");
    return out;
}

}  // namespace

std::string ps_table(const std::vector<pid_t>& pids, const std::vector<std::string>& args) {
    // Without ps options the table is `ps -ef`'s, whose filtered lines `ps -f -q PIDS` prints
    // directly: -q reads only those pids' /proc entries, where -ef reads every process on the
    // host (the cost would grow with the number of other containers). -q keeps the list's
    // order: sorted, as -ef's.
    std::vector<pid_t> sorted(pids);
    std::sort(sorted.begin(), sorted.end());
    std::string quick;
    for (pid_t p : sorted) quick += (quick.empty() ? "" : ",") + std::to_string(p);
    const bool fast = args.empty() && !quick.empty();
    std::istringstream in(fast ? run_ps({"-f", "-q", quick}, /*allow_none=*/true)
                               : run_ps(args.empty() ? std::vector<std::string>{"-ef"} : args));
    std::string header, line, out;
    std::getline(in, header);
    std::istringstream h(header);
    std::string col;
    int pid_col = -1;
    for (int i = 0; h >> col; ++i)
        if (col == "PID") pid_col = i;
    if (pid_col < 0) throw Error("ps: no PID column in its output; use options that print one");
    out = header + "\n";
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string field;
        for (int i = 0; i <= pid_col && f >> field; ++i) {
        }
        char* end = nullptr;
        long p = std::strtol(field.c_str(), &end, 10);
        if (*end == '\0' && std::find(pids.begin(), pids.end(), static_cast<pid_t>(p)) != pids.end())
            out += line + "\n";
    }
    return out;
}

}  // namespace ocirt
