// The child barrier (linux/child.hpp): whatever the child throws, it _exits
// with a status that says so and reports on the channel; nothing unwinds into
// the parent's frames (a fork without exec shares them).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "ocirt/linux/child.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_;
using Catch::Matchers::Contains;

namespace {

// The parent's state in the frame the child is forked from: if the child
// unwound through here, it would remove the dir.
struct GuardedDir {
    std::string path;
    GuardedDir() {
        char tmpl[] = "/tmp/ocirt-child-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        path = tmpl;
    }
    ~GuardedDir() { ::rmdir(path.c_str()); }
    bool exists() const {
        struct stat st;
        return ::stat(path.c_str(), &st) == 0;
    }
};

struct Outcome {
    int status = -1;
    std::string report;  // the error received, or the message type
    int code = 0;
    bool dir_kept = false;
};

Outcome run(int failure_status, const std::function<void(ChildChannel&)>& body) {
    GuardedDir dir;
    Outcome out;
    auto [parent, child] = channel_pair();
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        parent.close();
        run_in_child(child, failure_status, [&] { body(child); });
    }
    child.close();
    REQUIRE(::waitpid(pid, &out.status, 0) == pid);
    try {
        out.report = to_string(parent.next().type);
    } catch (const Error& e) {
        out.report = e.what();
        out.code = e.code();
    }
    out.dir_kept = dir.exists();
    return out;
}

}  // namespace

TEST_CASE("run_in_child: a non-ocirt exception stops the child, not the parent's frames", "[child]") {
    Outcome o = run(3, [](ChildChannel&) { throw std::runtime_error("boom"); });
    CHECK(o.dir_kept);
    CHECK(WIFEXITED(o.status));
    CHECK(WEXITSTATUS(o.status) == 3);
    CHECK(o.report == "boom");
    CHECK(o.code == 0);
}

TEST_CASE("run_in_child: something that is not a std::exception", "[child]") {
    Outcome o = run(4, [](ChildChannel&) { throw 42; });
    CHECK(o.dir_kept);
    CHECK(WIFEXITED(o.status));
    CHECK(WEXITSTATUS(o.status) == 4);
    CHECK_THAT(o.report, Contains("unknown exception"));
}

TEST_CASE("run_in_child: ocirt's Error keeps its errno", "[child]") {
    Outcome o = run(kChildFailed, [](ChildChannel&) { throw Error(EACCES, "open /x"); });
    CHECK(o.dir_kept);
    CHECK(WEXITSTATUS(o.status) == kChildFailed);
    CHECK(o.report == "open /x: Permission denied");
    CHECK(o.code == EACCES);
}

TEST_CASE("run_in_child: a body that returns exits 0", "[child]") {
    Outcome o = run(5, [](ChildChannel& ch) { ch.ready(); });
    CHECK(o.dir_kept);
    CHECK(WIFEXITED(o.status));
    CHECK(WEXITSTATUS(o.status) == 0);
    CHECK(o.report == "ready");
}

TEST_CASE("run_in_child: with the channel closed the error goes to stderr", "[child]") {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    Outcome o = run(6, [&](ChildChannel& ch) {
        ch.close();
        ::dup2(p[1], 2);
        throw std::logic_error("after ready");
    });
    ::close(p[1]);
    char buf[256] = {};
    ssize_t n = ::read(p[0], buf, sizeof buf - 1);
    ::close(p[0]);
    CHECK(o.dir_kept);
    CHECK(WEXITSTATUS(o.status) == 6);
    CHECK(o.report == "end of file");
    CHECK(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0) == "ocirt: after ready\n");
}
