#pragma once
// RAII owner of a DIR* (opendir/fdopendir), and its listing: every raw DIR
// handle in ocirt goes through here, so none leaks on an exception.
#include <dirent.h>

#include <memory>
#include <string>
#include <vector>

#include "ocirt/util/fd.hpp"

namespace ocirt {

struct DirEntry {
    std::string name;
    unsigned char type;  // d_type: DT_DIR, DT_REG, ... (DT_UNKNOWN where the fs does not say)
};

class Dir {
public:
    Dir() = default;
    // opendir(path); an invalid Dir on failure, errno set.
    static Dir open(const std::string& path) noexcept;
    // fdopendir(fd): the Dir owns fd from here (closed on failure too), errno kept.
    static Dir adopt(Fd fd) noexcept;

    bool valid() const noexcept { return d_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    DIR* get() const noexcept { return d_.get(); }

    // Every entry but "." and "..", in readdir order. A read error throws
    // Error(errno, what).
    std::vector<DirEntry> entries(const std::string& what);

private:
    struct Close {
        void operator()(DIR* d) const noexcept { ::closedir(d); }
    };
    explicit Dir(DIR* d) noexcept : d_(d) {}
    std::unique_ptr<DIR, Close> d_;
};

}  // namespace ocirt
