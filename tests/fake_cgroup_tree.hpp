#pragma once
// A fake cgroupfs for tests: plain dirs and files in a temp dir and a fake
// mountinfo pointing at them (Paths for cgroups::open). Writes to a fake
// control file append a line (see write_file), so tests read back what was
// written and in which order.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ocirt/linux/cgroups/manager.hpp"

namespace ocirt::testing {

namespace fs = std::filesystem;
using cgroups::Paths;

class FakeTree {
public:
    FakeTree() {
        char tmpl[] = "/tmp/ocirt-cgtest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        base_ = tmpl;
        root_ = base_ + "/sys/fs/cgroup";
        fs::create_directories(root_);
        mountinfo_ = "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                     "31 24 0:28 / " + root_ + " rw,nosuid shared:9 - tmpfs tmpfs rw,mode=755\n";
    }
    ~FakeTree() { fs::remove_all(base_); }

    // A v1 hierarchy mounted at root/dir with these super options.
    void v1(const std::string& dir, const std::string& super) {
        fs::create_directories(root_ + "/" + dir);
        mount_line(root_ + "/" + dir, "cgroup", "rw," + super);
    }
    // A cgroup2 mount at root/dir ("" for root itself).
    void v2(const std::string& dir) {
        std::string mp = dir.empty() ? root_ : root_ + "/" + dir;
        fs::create_directories(mp);
        mount_line(mp, "cgroup2", "rw,nsdelegate");
    }
    void mount_line(const std::string& mp, const std::string& type, const std::string& super) {
        const std::string id = std::to_string(++id_);
        mountinfo_ += id + " 31 0:" + id + " / " + mp + " rw,nosuid,nodev,noexec,relatime shared:" + id + " - " + type +
                      " " + type + " " + super + "\n";
    }

    Paths paths() const {
        std::ofstream(base_ + "/mountinfo") << mountinfo_;
        return Paths{root_, base_ + "/mountinfo"};
    }
    const std::string& root() const { return root_; }

    static void touch(const std::string& path, const std::string& text = "") {
        std::ofstream(path) << text;
    }
    static std::vector<std::string> lines(const std::string& path) {
        std::ifstream in(path);
        std::vector<std::string> out;
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    }

    // The host's layout in miniature: separate cpu and cpuacct, co-mounted
    // net_cls,net_prio, name=systemd, and optionally systemd's cgroup2.
    void host_like(bool with_unified) {
        v1("cpu,cpuacct", "cpu,cpuacct");
        v1("memory", "memory");
        v1("devices", "devices");
        v1("freezer", "freezer");
        v1("systemd", "xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd");
        if (with_unified) v2("unified");
    }

private:
    std::string base_, root_, mountinfo_;
    int id_ = 40;
};

}  // namespace ocirt::testing
