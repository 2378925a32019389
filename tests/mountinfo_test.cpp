// The one mountinfo parser (linux/mountinfo): fields, escapes, optional fields.
#include <catch2/catch.hpp>

#include "ocirt/linux/mount/mountinfo.hpp"

using ocirt::linux_::parse_mountinfo;
using ocirt::linux_::path_at_or_below;

TEST_CASE("mountinfo: fields, optional fields and escaped mount points", "[mountinfo]") {
    const std::string text =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "30 22 0:26 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu\n"
        "31 22 0:40 /sub /mnt/with\\040space rw master:3 unbindable - tmpfs my\\040src rw,size=4k\n"
        "garbage line\n";
    auto m = parse_mountinfo(text);
    REQUIRE(m.size() == 3);
    CHECK(m[0].mountpoint == "/");
    CHECK(m[0].fstype == "ext4");
    CHECK(m[0].has_optional_prefix("shared:"));
    CHECK(m[1].optional.empty());
    CHECK(m[1].super_options == "rw,cpu");
    CHECK(m[2].root == "/sub");
    CHECK(m[2].mountpoint == "/mnt/with space");
    CHECK(m[2].source == "my src");
    CHECK(m[2].has_optional_prefix("unbindable"));
    CHECK_FALSE(m[2].has_optional_prefix("shared:"));
}

TEST_CASE("mountinfo: path_at_or_below compares whole components", "[mountinfo]") {
    CHECK(path_at_or_below("/a/b", "/a"));
    CHECK(path_at_or_below("/a", "/a"));
    CHECK(path_at_or_below("/anything", "/"));
    CHECK_FALSE(path_at_or_below("/ab", "/a"));
    CHECK_FALSE(path_at_or_below("/a", "/a/b"));
}
