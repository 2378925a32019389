#include "ocirt/linux/lsm.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {

bool apparmor_enabled() {
    try {
        return read_file("/sys/module/apparmor/parameters/enabled").rfind('Y', 0) == 0;
    } catch (const Error&) {
        return false;
    }
}

bool selinux_enabled() { return ::access("/sys/fs/selinux/enforce", F_OK) == 0; }

void apply_process_labels(const spec::Process& p) {
    if (!p.apparmor_profile.empty()) {
        if (!apparmor_enabled()) {
            spdlog::debug("process.apparmorProfile \"{}\" ignored: AppArmor is not enabled",
                          p.apparmor_profile);
        } else {
            // The newer per-LSM attribute first, then the shared one.
            const std::string v = "exec " + p.apparmor_profile;
            try {
                write_existing("/proc/self/attr/apparmor/exec", v);
            } catch (const Error&) {
                with_context("process.apparmorProfile", [&] { write_existing("/proc/self/attr/exec", v); });
            }
        }
    }
    if (!p.selinux_label.empty()) {
        if (!selinux_enabled()) {
            spdlog::debug("process.selinuxLabel \"{}\" ignored: SELinux is not enabled", p.selinux_label);
        } else {
            with_context("process.selinuxLabel",
                         [&] { write_existing("/proc/self/attr/exec", p.selinux_label); });
        }
    }
}

void check_mount_label(const std::string& mount_label) {
    if (mount_label.empty()) return;
    if (!selinux_enabled()) {
        spdlog::debug("linux.mountLabel \"{}\" ignored: SELinux is not enabled", mount_label);
        return;
    }
    throw Error("linux.mountLabel is not supported yet on hosts with SELinux enabled");
}

}  // namespace ocirt::linux_
