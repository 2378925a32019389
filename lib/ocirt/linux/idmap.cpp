#include "ocirt/linux/idmap.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "ocirt/linux/rootless.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

std::string render(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps)
        out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
               std::to_string(m.size) + "\n";
    return out;
}

const char* const kHelperDirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"};

std::string find_helper(const std::string& name, const std::string& field) {
    for (const char* d : kHelperDirs) {
        std::string p = std::string(d) + "/" + name;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    throw Error(field + ": mapping more than the caller's own id needs " + name +
                " (Debian package uidmap), not found in /usr/bin, /bin, /usr/sbin, /sbin, /usr/local/bin");
}

// Runs `helper pid inside outside count ...`; its stderr goes into the error.
void run_helper(const std::string& helper, pid_t pid, const std::vector<spec::IdMapping>& maps,
                const std::string& field) {
    std::vector<std::string> args{helper, std::to_string(pid)};
    for (const auto& m : maps) {
        args.push_back(std::to_string(m.container_id));
        args.push_back(std::to_string(m.host_id));
        args.push_back(std::to_string(m.size));
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw_errno(field + ": pipe for " + helper);
    Fd rd(p[0]), wr(p[1]);
    pid_t child = ::fork();
    if (child < 0) throw_errno(field + ": fork " + helper);
    if (child == 0) {
        ::dup2(wr.get(), 2);
        int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) ::dup2(null, 1);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    wr.reset();
    std::string err;
    char buf[1024];
    ssize_t n;
    while ((n = ::read(rd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && err.size() < 4096) err.append(buf, static_cast<size_t>(n));
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(field + ": " + helper + " failed" + (err.empty() ? "" : ": " + err));
}

std::string user_name(uid_t uid) {
    passwd pw, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return pw.pw_name;
    return std::to_string(uid);
}

std::string group_name(gid_t gid) {
    group gr, *found = nullptr;
    char buf[4096];
    if (::getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found) return gr.gr_name;
    return std::to_string(gid);
}

// One map of a rootless caller: directly when it is only the caller's own
// id, else through the setuid helper after checking the grant.
void write_rootless_map(pid_t pid, const std::vector<spec::IdMapping>& maps, bool uid) {
    const std::string field = uid ? "linux.uidMappings" : "linux.gidMappings";
    const std::string base = "/proc/" + std::to_string(pid);
    const uint32_t own = uid ? ::geteuid() : ::getegid();
    if (maps_only_own_id(maps, own)) {
        with_context(field, [&] {
            if (!uid) write_existing(base + "/setgroups", "deny");
            write_existing(base + (uid ? "/uid_map" : "/gid_map"), render(maps));
        });
        return;
    }
    const std::string helper = find_helper(uid ? "newuidmap" : "newgidmap", field);
    const std::string file = uid ? "/etc/subuid" : "/etc/subgid";
    // The user's ranges are listed under the user's name (for gids too, as
    // shadow-utils: /etc/subgid is keyed by the user) or its number.
    const std::string name = user_name(::geteuid());
    std::string text;
    try {
        text = read_file(file);
    } catch (const Error&) {
    }
    std::string bad = ungranted_range(maps, own, text, name, uid ? ::geteuid() : ::getegid());
    if (!bad.empty())
        throw Error(field + ": " + bad + " is not granted to " + name + " (" + (uid ? "uid " : "gid ") +
                    std::to_string(own) + ", group " + group_name(::getegid()) + ") in " + file);
    run_helper(helper, pid, maps, field);
}

}  // namespace

bool maps_only_own_id(const std::vector<spec::IdMapping>& maps, uint32_t own) {
    return maps.size() == 1 && maps[0].size == 1 && maps[0].host_id == own;
}

std::string ungranted_range(const std::vector<spec::IdMapping>& maps, uint32_t own,
                            const std::string& subid_text, const std::string& name, uint32_t id) {
    const auto granted = parse_subid(subid_text);
    for (const auto& m : maps) {
        const uint64_t lo = m.host_id, hi = lo + m.size;  // [lo, hi)
        bool ok = m.size == 1 && m.host_id == own;
        for (const auto& g : granted) {
            if (g.owner != name && g.owner != std::to_string(id)) continue;
            if (lo >= g.start && hi <= uint64_t{g.start} + g.count) ok = true;
        }
        if (!ok) return "hostID " + std::to_string(m.host_id) + " size " + std::to_string(m.size);
    }
    return "";
}

bool setgroups_allowed() {
    try {
        return read_file("/proc/self/setgroups").rfind("allow", 0) == 0;
    } catch (const Error&) {
        return true;  // no such file: kernels before 3.19 had no such rule
    }
}

void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uids,
                   const std::vector<spec::IdMapping>& gids) {
    if (::geteuid() != 0) {
        // A failure leaves a half-mapped namespace: launch kills the init.
        write_rootless_map(pid, uids, true);
        write_rootless_map(pid, gids, false);
        return;
    }
    std::string base = "/proc/" + std::to_string(pid);
    // The whole map goes in one write(2): the kernel accepts only one.
    with_context("linux.uidMappings", [&] { write_existing(base + "/uid_map", render(uids)); });
    with_context("linux.gidMappings", [&] { write_existing(base + "/gid_map", render(gids)); });
}

}  // namespace ocirt::linux_
