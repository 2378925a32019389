#include "ocirt/linux/mount/prepare.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include "ocirt/util/error.hpp"

#include "ocirt/linux/mount/idmap.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/rootless.hpp"

namespace ocirt::linux_ {

Fd PreparedMounts::take(size_t index) {
    auto it = trees.find(index);
    if (it == trees.end()) return Fd();
    Fd tree = std::move(it->second);
    trees.erase(it);
    return tree;
}

std::vector<int> PreparedMounts::fds() const {
    std::vector<int> out;
    for (const auto& [index, tree] : trees) out.push_back(tree.get());
    return out;
}

PreparedMounts prepare_mounts(const RootfsContext& ctx) {
    PreparedMounts out;
    if (!ctx.new_user_ns) return out;
    Fd container_userns;  // made once, for every mount without mappings of its own
    const auto& mounts = ctx.config->mounts;
    for (size_t i = 0; i < mounts.size(); ++i) {
        const spec::Mount& m = mounts[i];
        const std::string where = "mounts[" + std::to_string(i) + "]";
        MountOptions o = parse_mount(m, where);
        if (!o.is_bind) continue;
        const std::string src = bind_source(m, ctx.bundle);
        if (!o.idmap) {
            // The user namespace may not be able to reach the source (a 0700
            // dir of the host's root on the way): a clone made here, for the
            // init to attach if it cannot bind the path itself.
            unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.recursive_bind() ? AT_RECURSIVE : 0);
            Fd tree(::open_tree(AT_FDCWD, src.c_str(), flags));
            // Rootless without a mount namespace of our own to clone from:
            // the init binds the path (it reaches what the user reaches).
            if (!tree && errno == EPERM && running_rootless()) continue;
            if (!tree) throw_errno(where + ".source: " + src);
            out.trees.emplace(i, std::move(tree));
            continue;
        }
        Fd own;
        int userns;
        if (!m.uid_mappings.empty()) {
            own = mount_userns(m, *ctx.config, where);
            userns = own.get();
        } else {
            if (!container_userns) container_userns = mount_userns(m, *ctx.config, where);
            userns = container_userns.get();
        }
        out.trees.emplace(i, open_idmapped_tree(src, o, userns, where));
    }
    return out;
}

}  // namespace ocirt::linux_
