// The manager of a container without a cgroup: rootless where ocirt may write
// no cgroup (v1, hybrid, v2 without a delegated subtree). It makes nothing and
// refuses every limit, naming the field, as runc does: a limit that silently
// did not apply would be worse than a container that does not start.
#include "ocirt/linux/cgroups/impl.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

class None final : public Manager {
public:
    None(Mode mode, std::string path, std::string why) : mode_(mode), path_(std::move(path)), why_(std::move(why)) {}

    Mode mode() const override { return mode_; }
    const std::string& path() const override { return path_; }
    const std::vector<Hierarchy>& hierarchies() const override { return none_; }
    std::string dir(const Hierarchy&) const override { return ""; }
    void create() override {}
    const std::vector<std::string>& created() const override { return nothing_; }
    std::vector<std::string> to_create() const override { return {}; }
    void add_process(pid_t) override {}
    void add_process(pid_t, const SubCgroups& sub) override {
        if (!sub.empty()) throw Error("--cgroup: the container has no cgroup: " + why_);
    }

    // Device rules are no limit here: rootless, the user namespace already
    // keeps the container from making or opening devices the user cannot.
    void apply(const spec::Resources& r) override {
        if (auto field = first_limit(r))
            throw Error(*field + ": cannot apply a cgroup limit: " + why_ +
                        " (rootless: remove the limit, or run with a delegated cgroup v2 subtree)");
    }
    std::vector<pid_t> pids() const override { return {}; }
    void freeze() override { throw Error("cgroup: cannot freeze: " + why_); }
    void thaw() override { throw Error("cgroup: cannot thaw: " + why_); }
    bool frozen() const override { return false; }
    void destroy() override {}
    Fd fd_for_clone_into_cgroup() const override { return Fd(); }

private:
    Mode mode_;
    std::string path_, why_;
    std::vector<Hierarchy> none_;
    std::vector<std::string> nothing_;
};

}  // namespace

std::unique_ptr<Manager> make_none(Mode mode, std::string path, std::string why) {
    return std::make_unique<None>(mode, std::move(path), std::move(why));
}

}  // namespace ocirt::cgroups
