#include "ocirt/factory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ocirt/create.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {

Factory::Factory(std::string root) : root_(absolute_path(root)) {}

void Factory::validate_id(const std::string& id) {
    auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '+' || c == '-' || c == '.';
    };
    if (id.empty() || id == "." || id == ".." || !std::all_of(id.begin(), id.end(), ok) ||
        id.size() > 1024)
        throw Error("invalid container id \"" + id +
                    "\": use letters, digits, '_', '+', '-' and '.', not \".\" or \"..\"");
}

static Fd lock_dir(const std::string& dir, const std::string& id) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) throw Error("container \"" + id + "\" does not exist");
        throw_errno(dir);
    }
    if (::flock(fd.get(), LOCK_EX) != 0) throw_errno("lock " + dir);
    return fd;
}

Container Factory::load(const std::string& id, bool lock) const {
    validate_id(id);
    std::string dir = root_ + "/" + id;
    Fd l = lock ? lock_dir(dir, id) : Fd();
    if (!path_exists(dir + "/state.json")) throw Error("container \"" + id + "\" does not exist");
    return Container(dir, load_state(dir), std::move(l));
}

bool Factory::exists(const std::string& id) const { return path_exists(root_ + "/" + id + "/state.json"); }

std::vector<std::string> Factory::list() const {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        throw_errno(root_);
    }
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && path_exists(root_ + "/" + n + "/state.json")) ids.push_back(n);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

Container Factory::create(const std::string& id, const CreateOptions& opts) {
    validate_id(id);
    return create_container(root_, id, opts);
}

}  // namespace ocirt
