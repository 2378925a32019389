#include "ocirt/linux/seccomp_listener.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "ocirt/linux/channel.hpp"
#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

Fd take_seccomp_listener(pid_t pid, ParentChannel& sock, int fd_in_child) {
    const std::string what = "linux.seccomp: take the listener fd from the container process";
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) throw_errno(what + ": pidfd_open");
    for (;;) {
        Fd fd(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd_in_child, 0)));
        if (fd) {
            // Anything else there means the announced number was wrong.
            char link[64] = {};
            const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
            ssize_t n = ::readlink(self.c_str(), link, sizeof link - 1);
            if (n < 0 || std::string(link, static_cast<size_t>(n)) != "anon_inode:seccomp notify")
                throw Error(what + ": its fd " + std::to_string(fd_in_child) + " is not a seccomp listener");
            return fd;
        }
        if (errno == ENOSYS)
            throw Error(ENOSYS, what + ": SCMP_ACT_NOTIFY needs pidfd_getfd(2) (Linux 5.6 or later)");
        if (errno != EBADF) throw_errno(what + ": pidfd_getfd");
        pollfd p[2] = {{sock.fd(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        if (::poll(p, 2, 1) < 0 && errno != EINTR) throw_errno(what + ": poll");
        if (p[0].revents) {
            sock.next();  // an error message is thrown
            throw Error(what + ": it went on without loading the filter");
        }
        if (p[1].revents) throw Error(what + ": it exited");
    }
}

void send_to_seccomp_listener(const std::string& listener_path, const std::string& metadata,
                              const ListenerState& st, int notify_fd) {
    const std::string where = "linux.seccomp.listenerPath: " + listener_path;
    nlohmann::ordered_json state;
    state["ociVersion"] = st.oci_version;
    state["id"] = st.id;
    state["status"] = st.status;
    state["pid"] = st.pid;
    state["bundle"] = st.bundle;
    if (!st.annotations.empty()) state["annotations"] = st.annotations;
    nlohmann::ordered_json msg;
    msg["ociVersion"] = st.oci_version;
    msg["fds"] = {"seccompFd"};
    msg["pid"] = st.pid;
    if (!metadata.empty()) msg["metadata"] = metadata;
    msg["state"] = state;
    std::string text = msg.dump();

    Fd s = connect_unix(listener_path, "linux.seccomp.listenerPath");

    with_context(where, [&] { send_fd(s.get(), notify_fd, text); });
}

}  // namespace ocirt::linux_
