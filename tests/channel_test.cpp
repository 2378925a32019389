// The sync protocol (linux/channel.hpp): each message round-trips, an error
// keeps its errno and text, and an unexpected message is an error naming it.
#include <sys/socket.h>

#include <functional>

#include <catch2/catch.hpp>

#include "ocirt/linux/channel.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_;
using Catch::Matchers::Contains;

namespace {

// Two ends of one socket, as the given types (to send what a side never sends).
template <typename A, typename B>
std::pair<A, B> raw_pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0);
    return {A(Fd(fds[0])), B(Fd(fds[1]))};
}

std::string error_of(const std::function<void()>& f, int* code = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (code) *code = e.code();
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("each message of the sync protocol round-trips", "[channel]") {
    auto [parent, child] = channel_pair();

    parent.go();
    CHECK_NOTHROW(child.wait_go());

    child.child_pid(4242);
    CHECK(parent.child_pid() == 4242);

    child.seccomp_fd(17);
    auto r = parent.next();
    CHECK(r.type == Msg::seccomp_fd);
    CHECK(r.value == 17);

    parent.go();  // queued: run_hooks sends, then reads it
    child.run_hooks();
    CHECK(parent.next().type == Msg::run_hooks);

    child.ready();
    CHECK(parent.next().type == Msg::ready);

    child.close();
    CHECK(parent.next().type == Msg::eof);
}

TEST_CASE("an error message keeps errno and text end to end", "[channel]") {
    auto [parent, child] = channel_pair();
    child.error(ENOENT, "mounts[2].destination: open /x: No such file or directory");
    int code = 0;
    CHECK(error_of([&] { parent.next(); }, &code) == "mounts[2].destination: open /x: No such file or directory");
    CHECK(code == ENOENT);

    // From the intermediate too (it used to lose the errno).
    child.error(EPERM, "join the user namespace: Operation not permitted");
    CHECK(error_of([&] { parent.child_pid(); }, &code) == "join the user namespace: Operation not permitted");
    CHECK(code == EPERM);
}

TEST_CASE("an unexpected message is an error naming it", "[channel]") {
    SECTION("the parent waits for child_pid and gets ready") {
        auto [parent, child] = channel_pair();
        child.ready();
        CHECK_THAT(error_of([&] { parent.child_pid(); }), Contains("unexpected ready") && Contains("expected child_pid"));
    }
    SECTION("the child waits for go and gets ready") {
        auto [a, b] = raw_pair<ChildChannel, ChildChannel>();
        a.ready();
        CHECK_THAT(error_of([&] { b.wait_go(); }), Contains("unexpected ready from the parent (expected go)"));
    }
    SECTION("the child waits for go and the parent closed its end") {
        auto [parent, child] = channel_pair();
        parent.close();
        CHECK_THAT(error_of([&] { child.wait_go(); }), Contains("unexpected end of file from the parent"));
    }
    SECTION("run_hooks is answered by something else") {
        auto [a, b] = raw_pair<ChildChannel, ChildChannel>();
        a.seccomp_fd(3);
        CHECK_THAT(error_of([&] { b.run_hooks(); }), Contains("unexpected seccomp_fd"));
    }
    SECTION("the parent gets go (a message only it sends)") {
        auto [a, b] = raw_pair<ParentChannel, ParentChannel>();
        a.go();
        CHECK_THAT(error_of([&] { b.next(); }), Contains("unexpected go from the child"));
    }
}
