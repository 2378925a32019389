#include "ocirt/util/dir.hpp"

#include <cerrno>

#include "ocirt/util/error.hpp"

namespace ocirt {

Dir Dir::open(const std::string& path) noexcept { return Dir(::opendir(path.c_str())); }

Dir Dir::adopt(Fd fd) noexcept {
    DIR* d = ::fdopendir(fd.get());
    if (!d) {
        int err = errno;
        fd.reset();
        errno = err;
        return Dir();
    }
    fd.release();  // the DIR closes it
    return Dir(d);
}

std::vector<DirEntry> Dir::entries(const std::string& what) {
    if (!d_) throw Error(EBADF, what);
    std::vector<DirEntry> out;
    for (;;) {
        errno = 0;
        dirent* e = ::readdir(d_.get());
        if (!e) {
            if (errno != 0) throw Error(errno, what);
            break;
        }
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back({std::move(n), e->d_type});
    }
    return out;
}

}  // namespace ocirt
