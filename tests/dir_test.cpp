// util/dir.hpp: the one RAII owner of a DIR*, and its listing.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ocirt-dirtest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

bool fd_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("Dir lists every entry but . and .., with its type", "[util][dir]") {
    TempDir t;
    std::filesystem::create_directory(t.path + "/sub");
    std::ofstream(t.path + "/file") << "x";
    Dir d = Dir::open(t.path);
    REQUIRE(d);
    auto es = d.entries("list " + t.path);
    std::sort(es.begin(), es.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    REQUIRE(es.size() == 2);
    CHECK(es[0].name == "file");
    CHECK(es[1].name == "sub");
    if (es[1].type != DT_UNKNOWN) {  // the fs may not fill d_type
        CHECK(es[0].type == DT_REG);
        CHECK(es[1].type == DT_DIR);
    }
}

TEST_CASE("Dir::open of a missing dir is invalid with errno set", "[util][dir]") {
    TempDir t;
    errno = 0;
    Dir d = Dir::open(t.path + "/missing");
    CHECK_FALSE(d);
    CHECK(errno == ENOENT);
    CHECK_THROWS_AS(d.entries("list"), Error);
}

TEST_CASE("Dir::adopt owns the fd: closed with the Dir, or at once on failure", "[util][dir]") {
    TempDir t;
    int raw = ::open(t.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    {
        Dir d = Dir::adopt(Fd(raw));
        REQUIRE(d);
        CHECK(fd_open(raw));
        CHECK(d.entries("list").empty());
        Dir moved = std::move(d);
        CHECK_FALSE(d);
        CHECK(fd_open(raw));
    }
    CHECK_FALSE(fd_open(raw));

    // fdopendir refuses a file: the fd is closed anyway, errno kept.
    std::ofstream(t.path + "/file") << "x";
    int file = ::open((t.path + "/file").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(file >= 0);
    errno = 0;
    Dir bad = Dir::adopt(Fd(file));
    CHECK_FALSE(bad);
    CHECK(errno == ENOTDIR);
    CHECK_FALSE(fd_open(file));
}
