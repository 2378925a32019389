#include "ocirt/linux/launch.hpp"

#include <spdlog/spdlog.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/version.hpp"

namespace ocirt::linux_ {
namespace {

// The agent gets the fd before the child makes another syscall (process_setup.cpp, load_filter).
void hand_off_listener(const Launch& l, ParentChannel& parent, pid_t pid, int fd_in_child) {
    if (!l.seccomp) Channel::unexpected(Msg::seccomp_fd, "container " + l.child_name, "no seccomp listener");
    Fd listener = take_seccomp_listener(pid, parent, fd_in_child);
    ListenerState ls = l.listener_state;
    ls.oci_version = kSpecVersion;
    ls.pid = pid;
    send_to_seccomp_listener(l.seccomp->listener_path, l.seccomp->listener_metadata, ls, listener.get());
}

}  // namespace

ChildGuard launch(const Launch& l) {
    auto channels = channel_pair();
    ParentChannel& parent = channels.first;
    ChildChannel& child = channels.second;
    const std::function<void()> entry = [&] {
        run_in_child(child, kChildFailed, [&] {
            parent.close();
            l.child(child);
        });
    };
    ChildGuard guard(l.clone(parent, child, entry));
    const pid_t pid = guard.pid();
    spdlog::debug("{}: {} pid {}", l.what, l.child_name, pid);
    child.close();
    if (l.after_clone) l.after_clone(pid);
    if (l.oom_score_adj)
        with_context("process.oomScoreAdj", [&] {
            write_existing("/proc/" + std::to_string(pid) + "/oom_score_adj", std::to_string(*l.oom_score_adj));
        });

    parent.go();
    for (;;) {
        ParentChannel::Report r = parent.next();  // an `error` is thrown
        if (r.type == l.done) break;
        switch (r.type) {
            case Msg::seccomp_fd:
                hand_off_listener(l, parent, pid, static_cast<int>(r.value));
                parent.go();
                break;
            case Msg::run_hooks:
                if (!l.run_hooks) Channel::unexpected(r.type, "container " + l.child_name, "no hooks to run");
                l.run_hooks(pid);
                parent.go();
                break;
            case Msg::eof:
                throw Error("container " + l.child_name + " exited before it was ready" + guard.reap_if_exited());
            default:
                Channel::unexpected(r.type, "container " + l.child_name, to_string(l.done));
        }
    }
    return guard;
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    with_context("--pid-file", [&] { write_atomic(absolute_path(path), std::to_string(pid), 0644); });
}

}  // namespace ocirt::linux_
