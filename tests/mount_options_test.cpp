// mounts[].options -> flags, propagation, recursive attributes, idmap,
// tmpcopyup and filesystem data; and the errors that name the option.
#include <sys/mount.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ocirt/linux/mount/attr.hpp"
#include "ocirt/linux/mount/options.hpp"

using namespace ocirt::linux_;
using Catch::Matchers::Equals;
using ocirt::spec::Mount;

namespace {

MountOptions parse(std::vector<std::string> options) {
    return parse_mount_options(options, "mounts[2].options");
}

Mount mount(std::string type, std::vector<std::string> options, std::string source = "src") {
    Mount m;
    m.destination = "/mnt";
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

MountOptions parse_entry(const Mount& m) {
    return parse_mount(m, "mounts[2]");
}

}  // namespace

TEST_CASE("flag options set and clear their MS_* flag", "[mounts]") {
    struct Row {
        const char* option;
        unsigned long set;
        unsigned long clear;
    };
    const Row rows[] = {
        {"ro", MS_RDONLY, 0},
        {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0},
        {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0},
        {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0},
        {"exec", 0, MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS, 0},
        {"async", 0, MS_SYNCHRONOUS},
        {"dirsync", MS_DIRSYNC, 0},
        {"remount", MS_REMOUNT, 0},
        {"mand", MS_MANDLOCK, 0},
        {"nomand", 0, MS_MANDLOCK},
        {"noatime", MS_NOATIME, 0},
        {"atime", 0, MS_NOATIME},
        {"relatime", MS_RELATIME, 0},
        {"norelatime", 0, MS_RELATIME},
        {"strictatime", MS_STRICTATIME, 0},
        {"nostrictatime", 0, MS_STRICTATIME},
        {"nodiratime", MS_NODIRATIME, 0},
        {"diratime", 0, MS_NODIRATIME},
        {"lazytime", MS_LAZYTIME, 0},
        {"nolazytime", 0, MS_LAZYTIME},
        {"iversion", MS_I_VERSION, 0},
        {"noiversion", 0, MS_I_VERSION},
        {"silent", MS_SILENT, 0},
        {"loud", 0, MS_SILENT},
        {"nosymfollow", MS_NOSYMFOLLOW, 0},
        {"symfollow", 0, MS_NOSYMFOLLOW},
        {"bind", MS_BIND, 0},
        {"rbind", MS_BIND | MS_REC, 0},
        {"defaults", 0, 0},
    };
    for (const Row& r : rows) {
        INFO(r.option);
        MountOptions o = parse({r.option});
        CHECK(o.flags == r.set);
        CHECK(o.clear == r.clear);
        CHECK(o.data.empty());
        CHECK(o.propagation.empty());
        CHECK(o.recursive.empty());
    }
}

TEST_CASE("a later option undoes an earlier one", "[mounts]") {
    MountOptions o = parse({"ro", "nosuid", "rw"});
    CHECK(o.flags == MS_NOSUID);
    CHECK(o.clear == MS_RDONLY);
    o = parse({"rw", "ro"});
    CHECK(o.flags == MS_RDONLY);
    CHECK(o.clear == 0);
}

TEST_CASE("the atime options choose one mode, the last wins", "[mounts]") {
    MountOptions o = parse({"noatime", "strictatime"});
    CHECK(o.flags == MS_STRICTATIME);
    CHECK(o.atime_given);
    o = parse({"strictatime", "relatime"});
    CHECK(o.flags == MS_RELATIME);
    o = parse({"nodiratime", "noatime"});
    CHECK(o.flags == (MS_NODIRATIME | MS_NOATIME));
    CHECK_FALSE(parse({"ro", "nodiratime"}).atime_given);
    CHECK(parse({"atime"}).atime_given);
}

TEST_CASE("propagation options, in order", "[mounts]") {
    MountOptions o =
        parse({"rprivate", "shared", "slave", "rslave", "private", "unbindable", "runbindable", "rshared"});
    std::vector<unsigned long> want = {MS_PRIVATE | MS_REC,    MS_SHARED,         MS_SLAVE,
                                       MS_SLAVE | MS_REC,      MS_PRIVATE,        MS_UNBINDABLE,
                                       MS_UNBINDABLE | MS_REC, MS_SHARED | MS_REC};
    CHECK(o.propagation == want);
    CHECK(o.flags == 0);
}

TEST_CASE("parse_propagation: rootfsPropagation", "[mounts]") {
    CHECK(parse_propagation("", "linux.rootfsPropagation") == 0);
    CHECK(parse_propagation("rslave", "linux.rootfsPropagation") == (MS_SLAVE | MS_REC));
    CHECK(parse_propagation("unbindable", "linux.rootfsPropagation") == MS_UNBINDABLE);
    REQUIRE_THROWS_WITH(parse_propagation("rbind", "linux.rootfsPropagation"),
                        Equals("linux.rootfsPropagation: unknown propagation \"rbind\""));
}

TEST_CASE("recursive attributes: MOUNT_ATTR_* to set and clear", "[mounts]") {
    struct Row {
        const char* option;
        uint64_t set;
        uint64_t clr;
    };
    const Row rows[] = {
        {"rro", MOUNT_ATTR_RDONLY, 0},
        {"rrw", 0, MOUNT_ATTR_RDONLY},
        {"rnosuid", MOUNT_ATTR_NOSUID, 0},
        {"rsuid", 0, MOUNT_ATTR_NOSUID},
        {"rnodev", MOUNT_ATTR_NODEV, 0},
        {"rdev", 0, MOUNT_ATTR_NODEV},
        {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
        {"rexec", 0, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
        {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
        {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
        {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
        // the atime field: all of MOUNT_ATTR__ATIME cleared, one mode set
        {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
        {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
        {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    };
    for (const Row& r : rows) {
        INFO(r.option);
        MountOptions o = parse({r.option});
        CHECK(o.recursive.set == r.set);
        CHECK(o.recursive.clr == r.clr);
        CHECK(o.flags == 0);
        CHECK(o.clear == 0);
        CHECK(o.data.empty());
    }
}

TEST_CASE("recursive attributes combine; the last of a pair wins", "[mounts]") {
    MountOptions o = parse({"rro", "rnosuid", "rnoatime", "rrw", "rstrictatime"});
    CHECK(o.recursive.set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME));
    CHECK(o.recursive.clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME));
    o = parse({"rnodiratime", "rnoatime"});
    CHECK(o.recursive.set == (MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOATIME));
    CHECK(o.recursive.clr == MOUNT_ATTR__ATIME);
}

TEST_CASE("idmap, ridmap and tmpcopyup are runtime options, not data", "[mounts]") {
    MountOptions o = parse({"idmap"});
    CHECK(o.idmap);
    CHECK_FALSE(o.idmap_recursive);
    o = parse({"ridmap"});
    CHECK(o.idmap);
    CHECK(o.idmap_recursive);
    o = parse({"tmpcopyup"});
    CHECK(o.tmpcopyup);
    CHECK(o.data.empty());
}

TEST_CASE("filesystem options pass through as data, in order", "[mounts]") {
    MountOptions o = parse({"nosuid", "mode=755", "newinstance", "size=65536k", "lowerdir=/a:/b",
                            "context=system_u:object_r:x:s0", "opt=a=b", "nouser_xattr"});
    REQUIRE(o.data.size() == 7);
    CHECK(o.data[0].key == "mode");
    CHECK(o.data[0].value == "755");
    CHECK(o.data[0].has_value);
    CHECK(o.data[0].index == 1);
    CHECK(o.data[1].key == "newinstance");
    CHECK_FALSE(o.data[1].has_value);
    CHECK(o.data[1].index == 2);
    CHECK(o.data[3].value == "/a:/b");
    CHECK(o.data[4].key == "context");
    CHECK(o.data[5].text() == "opt=a=b");
    CHECK(o.data[5].value == "a=b");
    CHECK(o.data_string() ==
          "mode=755,newinstance,size=65536k,lowerdir=/a:/"
          "b,context=system_u:object_r:x:s0,opt=a=b,nouser_xattr");
    CHECK(o.flags == MS_NOSUID);
}

TEST_CASE("option errors name the option's index", "[mounts]") {
    REQUIRE_THROWS_WITH(parse({"ro", ""}), Equals("mounts[2].options[1]: empty mount option"));
    REQUIRE_THROWS_WITH(parse({"=x"}), Equals("mounts[2].options[0]: \"=x\" has no option name"));
}

TEST_CASE("parse_mount: what makes a bind mount", "[mounts]") {
    CHECK(parse_entry(mount("bind", {})).is_bind);
    CHECK(parse_entry(mount("none", {"bind"})).is_bind);
    CHECK(parse_entry(mount("", {"rbind", "ro"})).is_bind);
    CHECK(parse_entry(mount("tmpfs", {"rbind"})).is_bind);
    CHECK_FALSE(parse_entry(mount("tmpfs", {"ro"})).is_bind);
    CHECK(parse_entry(mount("", {"rbind"})).recursive_bind());
    CHECK_FALSE(parse_entry(mount("bind", {})).recursive_bind());
}

TEST_CASE("parse_mount: a bind mount takes no filesystem options", "[mounts]") {
    // An unknown bare word is an error; fs options and superblock flags, which
    // runc ignores on a bind, are ignored with a warning.
    REQUIRE_THROWS_WITH(parse_entry(mount("bind", {"rbind", "foo"})),
                        Equals("mounts[2].options[1]: unknown mount option \"foo\""));
    auto o = parse_entry(mount("none", {"bind", "ro", "mode=755", "size=1k"}));
    CHECK(o.data.empty());
    CHECK((o.flags & MS_RDONLY));
    o = parse_entry(mount("bind", {"sync", "nosuid", "lazytime"}));
    CHECK_FALSE((o.flags & (MS_SYNCHRONOUS | MS_LAZYTIME)));
    CHECK((o.flags & MS_NOSUID));
}

TEST_CASE("check_mounts: every entry, errors name it", "[mounts]") {
    ocirt::spec::Config c;
    c.mounts.push_back(mount("proc", {}, "proc"));
    c.mounts.push_back(mount("bind", {"rbind", "bogus"}));
    REQUIRE_THROWS_WITH(check_mounts(c), Equals("mounts[1].options[1]: unknown mount option \"bogus\""));
    c.mounts.pop_back();
    CHECK_NOTHROW(check_mounts(c));
}

TEST_CASE("bind_source: relative sources are relative to the bundle", "[mounts]") {
    CHECK(bind_source(mount("bind", {}, "/abs"), "/b") == "/abs");
    CHECK(bind_source(mount("bind", {}, "data/x"), "/b") == "/b/data/x");
}

TEST_CASE("mount_attr_flags: per-mount flags of a new mount for fsmount", "[mounts]") {
    CHECK(mount_attr_flags(0) == MOUNT_ATTR_RELATIME);
    CHECK(mount_attr_flags(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) ==
          (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
    CHECK(mount_attr_flags(MS_NOATIME | MS_NODIRATIME) == (MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME));
    CHECK(mount_attr_flags(MS_STRICTATIME) == MOUNT_ATTR_STRICTATIME);
    CHECK(mount_attr_flags(MS_NOSYMFOLLOW) == MOUNT_ATTR_NOSYMFOLLOW);
    // superblock flags are not mount attributes
    CHECK(mount_attr_flags(MS_SYNCHRONOUS | MS_LAZYTIME) == 0);
}
