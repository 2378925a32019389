#include "ocirt/linux/cgroups/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::cgroups {

void write_file(const std::string& path, const std::string& value) {
    Fd fd;
    do {
        fd.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    } while (!fd && errno == EINTR);
    if (!fd) throw_errno("write " + path + ": open");
    std::string line = value + "\n";
    ssize_t n;
    do {
        n = ::write(fd.get(), line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("write \"" + value + "\" to " + path);
    // cgroupfs takes a write whole or fails it; a short count means something odd.
    if (static_cast<size_t>(n) != line.size())
        throw Error("write \"" + value + "\" to " + path + ": short write");
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
    Fd fd;
    do {
        fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    } while (!fd && errno == EINTR);
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw_errno("read " + path);
    }
    std::string out;
    char buf[4096];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read " + path);
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

std::string read_file(const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text) throw Error(ENOENT, "read " + path);
    return *text;
}

bool exists(const std::string& path) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    if (errno == ENOENT) return false;
    throw_errno("access " + path);
}

std::vector<pid_t> read_pids(const std::string& procs_file) {
    std::vector<pid_t> pids;
    auto text = read_file_if_exists(procs_file);
    if (!text) return pids;
    const char* p = text->data();
    const char* end = p + text->size();
    while (p < end) {
        if (*p == '\n' || *p == ' ') {
            ++p;
            continue;
        }
        pid_t pid = 0;
        auto [next, ec] = std::from_chars(p, end, pid);
        if (ec != std::errc() || pid <= 0) throw Error("read " + procs_file + ": not a pid list");
        pids.push_back(pid);
        p = next;
    }
    return pids;
}

namespace {

// Post-order walk: children are appended before their parent.
void walk(const std::string& dir, std::vector<std::string>& out) {
    std::vector<std::string> children;
    {
        Dir d = Dir::open(dir);
        if (!d) {
            if (errno == ENOENT) return;  // removed meanwhile
            throw_errno("list " + dir);
        }
        // cgroupfs fills d_type; a cgroup is a dir, control files are not.
        for (const auto& e : d.entries("list " + dir))
            if (e.type == DT_DIR) children.push_back(join(dir, e.name));
    }
    for (const auto& c : children) {
        walk(c, out);
        out.push_back(c);
    }
}

}  // namespace

std::vector<std::string> subdirs_deepest_first(const std::string& dir) {
    std::vector<std::string> out;
    walk(dir, out);
    return out;
}

}  // namespace ocirt::cgroups
