// linux.intelRdt against a fake resctrl tree: a temp dir laid out as resctrl
// is (schemata and tasks in every group, mon_groups where monitoring is
// available), and a fake mountinfo naming it.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ocirt/linux/intel_rdt.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
namespace fs = std::filesystem;

namespace {

class FakeResctrl {
public:
    FakeResctrl() {
        char tmpl[] = "/tmp/ocirt-rdttest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        base_ = tmpl;
        root_ = base_ + "/sys/fs/resctrl";
        group("");  // the root is the default CLOS
        put(root_ + "/schemata", "    L3:0=fffff;1=fffff\n    MB:0=100;1=100\n");
    }
    ~FakeResctrl() { fs::remove_all(base_); }
    const std::string& root() const { return root_; }
    // A group as the kernel makes it: its files, and mon_groups.
    std::string group(const std::string& name) {
        std::string d = name.empty() ? root_ : root_ + "/" + name;
        fs::create_directories(d + "/mon_groups");
        put(d + "/tasks", "");
        return d;
    }
    std::string mountinfo(bool with_resctrl) {
        std::string text = "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
        if (with_resctrl) text += "40 24 0:39 / " + root_ + " rw,relatime shared:20 - resctrl resctrl rw\n";
        put(base_ + "/mountinfo", text);
        return base_ + "/mountinfo";
    }
    static void put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
    static std::string get(const std::string& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    std::string base_, root_;
};

spec::IntelRdt rdt(std::string clos, std::vector<std::string> schemata = {}) {
    spec::IntelRdt r;
    r.clos_id = std::move(clos);
    r.schemata = std::move(schemata);
    return r;
}

}  // namespace

TEST_CASE("intelRdt: the resctrl mount is found in mountinfo, or the error names the field", "[intelrdt]") {
    FakeResctrl f;
    CHECK(linux_::find_resctrl(f.mountinfo(true)) == f.root());
    REQUIRE_THROWS_WITH(linux_::find_resctrl(f.mountinfo(false)),
                        Contains("linux.intelRdt: resctrl is not mounted"));
}

TEST_CASE("intelRdt: without closID the container's own group, schemata in the spec's order", "[intelrdt]") {
    FakeResctrl f;
    spec::IntelRdt c = rdt("", {"L2:0=f"});
    c.l3_cache_schema = "L3:0=7f0;1=1f";
    c.mem_bw_schema = "MB:0=20;1=70";
    linux_::IntelRdt r(c, "ctr1", f.root());
    CHECK(r.to_remove() == std::vector<std::string>{f.root() + "/ctr1"});
    r.create();
    CHECK(FakeResctrl::get(f.root() + "/ctr1/schemata") == "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=f\n");
    CHECK(r.created() == std::vector<std::string>{f.root() + "/ctr1"});
    CHECK(r.tasks_file() == f.root() + "/ctr1/tasks");
    linux_::rdt_add_process(r.tasks_file(), 1234);
    CHECK(FakeResctrl::get(f.root() + "/ctr1/tasks") == "1234\n");
    // The default group's schemata are untouched.
    CHECK(FakeResctrl::get(f.root() + "/schemata") == "    L3:0=fffff;1=fffff\n    MB:0=100;1=100\n");
    fs::remove(f.root() + "/ctr1/schemata");  // resctrl has no files to remove: rmdir takes them
    fs::remove(f.root() + "/ctr1/tasks");
    linux_::rdt_remove(r.created());
    CHECK_FALSE(fs::exists(f.root() + "/ctr1"));
    linux_::rdt_remove(r.created());  // gone already: fine
}

TEST_CASE("intelRdt: a group of the container's id that exists is not taken over", "[intelrdt]") {
    FakeResctrl f;
    f.group("ctr1");
    linux_::IntelRdt r(rdt(""), "ctr1", f.root());
    REQUIRE_THROWS_WITH(r.create(), Contains("linux.intelRdt: a resctrl group " + f.root() + "/ctr1 already exists"));
    CHECK(r.created().empty());
}

TEST_CASE("intelRdt: closID joins an existing group, never removed", "[intelrdt]") {
    FakeResctrl f;
    std::string g = f.group("gold");
    FakeResctrl::put(g + "/schemata", "    L3:0=007f0;1=fffff\n    MB:0=20;1=100\n");
    // Without schemata: joined as it is.
    linux_::IntelRdt plain(rdt("gold"), "ctr1", f.root());
    plain.create();
    CHECK(plain.tasks_file() == g + "/tasks");
    CHECK(plain.created().empty());
    CHECK(plain.to_remove().empty());
    // With schemata it has (leading zeros, case, blanks and other domains aside): joined, nothing written.
    linux_::IntelRdt same(rdt("gold", {"l3:0=7F0", "MB: 1=100"}), "ctr2", f.root());
    same.create();
    CHECK(FakeResctrl::get(g + "/schemata") == "    L3:0=007f0;1=fffff\n    MB:0=20;1=100\n");
    // With other schemata: the spec's error.
    linux_::IntelRdt other(rdt("gold", {"L3:0=ff"}), "ctr3", f.root());
    REQUIRE_THROWS_WITH(other.create(), Contains("linux.intelRdt.closID: the existing group " + g +
                                                 " does not have \"L3:0=ff\" in its schemata"));
}

TEST_CASE("intelRdt: closID of a missing group: made with schemata, an error without", "[intelrdt]") {
    FakeResctrl f;
    linux_::IntelRdt none(rdt("silver"), "ctr1", f.root());
    REQUIRE_THROWS_WITH(none.create(), Contains("linux.intelRdt.closID: no resctrl group " + f.root() + "/silver"));
    CHECK_FALSE(fs::exists(f.root() + "/silver"));
    spec::IntelRdt c = rdt("silver");
    c.mem_bw_schema = "MB:0=50";
    linux_::IntelRdt made(c, "ctr1", f.root());
    made.create();
    CHECK(FakeResctrl::get(f.root() + "/silver/schemata") == "MB:0=50\n");
    CHECK(made.created().empty());  // named by closID: delete leaves it
}

TEST_CASE("intelRdt: closID \"/\" is the default CLOS", "[intelrdt]") {
    FakeResctrl f;
    linux_::IntelRdt r(rdt("/"), "ctr1", f.root());
    r.create();
    CHECK(r.tasks_file() == f.root() + "/tasks");
    CHECK(r.created().empty());
}

TEST_CASE("intelRdt: enableMonitoring makes a MON group named after the container", "[intelrdt]") {
    FakeResctrl f;
    f.group("gold");
    spec::IntelRdt c = rdt("gold");
    c.enable_monitoring = true;
    linux_::IntelRdt r(c, "ctr1", f.root());
    const std::string mon = f.root() + "/gold/mon_groups/ctr1";
    CHECK(r.to_remove() == std::vector<std::string>{mon});
    r.create();
    CHECK(fs::is_directory(mon));
    CHECK(r.tasks_file() == mon + "/tasks");
    CHECK(r.created() == std::vector<std::string>{mon});
    // Without monitoring support (no mon_groups) the error names the field.
    fs::remove_all(f.root() + "/gold/mon_groups");
    linux_::IntelRdt r2(c, "ctr2", f.root());
    REQUIRE_THROWS_WITH(r2.create(), Contains("linux.intelRdt.enableMonitoring: mkdir"));
}

TEST_CASE("intelRdt: schemata lines compared by value", "[intelrdt]") {
    auto l = linux_::parse_schemata_line("   L3CODE:0=000ff ; 1=FF");
    CHECK(l.resource == "L3CODE");
    CHECK(l.domains == std::vector<std::pair<std::string, std::string>>{{"0", "ff"}, {"1", "ff"}});
    CHECK(linux_::parse_schemata_line("MB:0=0").domains[0].second == "0");
}
