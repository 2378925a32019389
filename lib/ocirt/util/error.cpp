#include "ocirt/util/error.hpp"

#include <cstring>

namespace ocirt {

Error::Error(int err, std::string what) : errno_(err), what_(std::move(what)) {
    if (err != 0) {
        what_ += ": ";
        what_ += std::strerror(err);
    }
}

Error& Error::wrap(const std::string& context) {
    what_ = context + ": " + what_;
    return *this;
}

void throw_errno(const std::string& what) { throw Error(errno, what); }

}  // namespace ocirt
