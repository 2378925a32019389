#pragma once
// What CRIU must be told about a container to dump or restore it, built from
// its config alone (no kernel calls, so unit tests can check it): the root,
// the mounts that come from outside the container (external mounts),
// namespaces joined by path, its cgroup, the caller's flags. swrk.cpp turns a
// Request into CRIU's protobuf message.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_::criu {

enum class Kind { dump, pre_dump, restore };

// --manage-cgroups-mode; the numbers are CRIU's criu_cg_mode.
enum class CgroupsMode : int { ignore = 0, soft = 3, full = 4, strict = 5 };
// "soft", "full", "strict" or "ignore"; anything else throws naming the flag.
CgroupsMode parse_cgroups_mode(const std::string& s);

// runc's checkpoint and restore flags.
struct Options {
    std::string image_path;   // --image-path
    std::string work_path;    // --work-path (default: the image path)
    std::string parent_path;  // --parent-path, relative to the image path as CRIU reads it
    bool leave_running = false;
    bool tcp_established = false;
    bool ext_unix_sk = false;
    bool shell_job = false;
    bool file_locks = false;
    bool pre_dump = false;
    bool auto_dedup = false;
    bool lazy_pages = false;
    int status_fd = -1;
    CgroupsMode cgroups_mode = CgroupsMode::soft;
    std::string empty_ns;  // --empty-ns: "network" is the one runc takes
};

struct KeyValue {
    std::string key;
    std::string value;
};

struct InheritedFd {
    std::string key;
    int fd = -1;  // in the criu process (inherited from ocirt)
};

struct CgroupRoot {
    std::string controllers;  // "cpu,cpuacct" on v1; "" on v2 (all)
    std::string path;         // the container's resolved cgroup path
};

// CRIU's criu_opts, the fields ocirt sets (images_dir_fd and work_dir_fd are
// filled in by whoever opens the dirs).
struct Request {
    Kind kind = Kind::dump;
    pid_t pid = 0;  // dump: the init
    std::string root;
    std::string log_file;  // in the work dir: dump.log, restore.log
    int log_level = 4;
    bool leave_running = false;
    bool tcp_established = false;
    bool ext_unix_sk = false;
    bool shell_job = false;
    bool file_locks = false;
    bool auto_dedup = false;
    bool lazy_pages = false;
    bool track_mem = false;
    int status_fd = -1;
    std::string parent_img;
    bool notify_scripts = true;
    bool rst_sibling = false;
    // process.terminal: the pty master is outside the container (the console
    // socket's peer holds it): dumped as an orphan; on restore CRIU sends the
    // new master (notification orphan-pts-master).
    bool orphan_pts_master = false;
    bool manage_cgroups = true;
    CgroupsMode cgroups_mode = CgroupsMode::soft;
    std::vector<CgroupRoot> cgroup_roots;
    std::string freeze_cgroup;  // a cgroup dir CRIU freezes the tasks with
    std::vector<KeyValue> ext_mounts;
    std::vector<std::string> external;  // "net[INODE]:extRootNetNS"
    std::vector<InheritedFd> inherit_fds;
    uint32_t empty_ns = 0;  // CLONE_NEW* bits
    std::string config_file;
};

// The container's cgroup, as its manager sees it (kept apart from the
// manager so tests can make one up).
struct CgroupInfo {
    std::string path;  // resolved cgroupsPath
    struct Hierarchy {
        std::string name;         // mount subdir under /sys/fs/cgroup in the container: "" on v2
        std::string controllers;  // "memory", "cpu,cpuacct", "name=systemd"; "" on v2
        std::string host_dir;     // the container's dir in it
    };
    std::vector<Hierarchy> hierarchies;
    std::string freezer_dir;  // v1: the freezer hierarchy's dir; v2: the cgroup2 dir
};

// A namespace the config joins by path, with the key CRIU knows it by.
struct ExternalNamespace {
    spec::NamespaceType type;
    std::string path;
    std::string key;  // "extRootNetNS", "extRootPidNS"
};
std::vector<ExternalNamespace> external_namespaces(const spec::Config& c);

// The default CRIU config file, read when the config has no org.criu.config
// annotation (and the file exists).
inline constexpr const char* kDefaultConfigFile = "/etc/criu/ocirt.conf";
inline constexpr const char* kConfigAnnotation = "org.criu.config";
// The config file to give CRIU: the annotation's value ("" there: none), else
// kDefaultConfigFile when it exists, else "".
std::string config_file(const spec::Config& c);

// A dump (or pre-dump) of the container whose init is `pid`. `ns_inodes`
// gives the inode of each external namespace path (external_namespaces()),
// in the same order. `is_dir` says whether a path in the container is a
// directory (a masked one is a tmpfs then, a masked file a bind of /dev/null).
Request dump_request(const spec::Config& c, pid_t pid, const std::string& rootfs, const Options& o,
                     const CgroupInfo& cg, const std::vector<uint64_t>& ns_inodes,
                     const std::function<bool(const std::string&)>& is_dir);

// A restore into `root` (the rootfs, bind-mounted where CRIU can see it).
// `bundle` resolves relative bind sources. `ns_fds`: an open fd per external
// namespace (external_namespaces()), inherited by criu.
Request restore_request(const spec::Config& c, const std::string& bundle, const std::string& root,
                        const Options& o, const CgroupInfo& cg, const std::vector<int>& ns_fds);

}  // namespace ocirt::linux_::criu
