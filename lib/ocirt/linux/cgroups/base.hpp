#pragma once
// What every layout does the same way: one dir per hierarchy at mountpoint +
// path, mkdir/rmdir bookkeeping, joining, listing pids, the destroy loop.
// v1.cpp and v2.cpp add what differs (devices, freezer, kill, clone fd).
#include <optional>
#include <string>
#include <vector>

#include "ocirt/linux/cgroups/manager.hpp"

namespace ocirt::cgroups {

class Base : public Manager {
public:
    // `created`: dirs an earlier create() made; each must be the container's
    // dir or one of its ancestors below a mountpoint, else this throws.
    Base(Mode mode, std::string path, std::vector<Hierarchy> hierarchies,
         std::vector<std::string> created);

    Mode mode() const override { return mode_; }
    const std::string& path() const override { return path_; }
    const std::vector<Hierarchy>& hierarchies() const override { return hierarchies_; }
    std::string dir(const Hierarchy& h) const override { return h.mountpoint + path_; }
    void create() override;
    const std::vector<std::string>& created() const override { return created_; }
    std::vector<std::string> to_create() const override;
    void add_process(pid_t pid) override;
    void add_process(pid_t pid, const SubCgroups& sub) override;
    std::vector<pid_t> pids() const override;
    void destroy() override;

protected:
    // The dir whose freezer holds the container's cgroup frozen (or freezing,
    // its own or an ancestor's), if any: create() refuses it, since the init
    // would stop as it joins and `run` would wait forever.
    virtual std::optional<std::string> frozen_dir() const = 0;
    // cgroup2: dir is frozen or freezing (cgroup.freeze 1, or frozen 1 in
    // cgroup.events when an ancestor is). Missing files: not frozen.
    static bool cgroup2_frozen(const std::string& dir);
    // create() just made `dir` in `h` (parents first): set it up before use.
    virtual void prepare_new_dir(const Hierarchy& h, const std::string& dir);
    // One round of destroy's kill loop over the container dirs we made, all of
    // whose pids (and sub-cgroups' pids) are in `pids`. Default: SIGKILL each.
    virtual void kill_round(const std::vector<std::string>& leaves, const std::vector<pid_t>& pids);

    // The v1 hierarchy holding the controller, or nullptr.
    const Hierarchy* find(const std::string& controller) const;
    // The cgroup2 hierarchy (v2, or systemd's unified on hybrid), or nullptr.
    const Hierarchy* unified() const;
    // Whether create() (here or in the process that recorded it) made dir.
    bool made(const std::string& dir) const;
    // Pids of dir and every cgroup below it, unsorted.
    static std::vector<pid_t> pids_below(const std::string& dir);

private:
    Mode mode_;
    std::string path_;
    std::vector<Hierarchy> hierarchies_;
    std::vector<std::string> created_;
};

}  // namespace ocirt::cgroups
