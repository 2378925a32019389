#include "ocirt/linux/seccomp_listener.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "ocirt/linux/sync.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

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

    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno(where + ": socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (listener_path.size() >= sizeof addr.sun_path) throw Error(where + ": path too long");
    std::memcpy(addr.sun_path, listener_path.c_str(), listener_path.size());
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno(where + ": connect");

    with_context(where, [&] { send_fd(s.get(), notify_fd, text); });
}

}  // namespace ocirt::linux_
