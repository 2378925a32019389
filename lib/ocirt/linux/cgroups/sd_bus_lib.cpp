#include "ocirt/linux/cgroups/sd_bus_lib.hpp"

#include <dlfcn.h>

#include <string>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups::systemd {
namespace {

constexpr const char* kLibrary = "libsystemd.so.0";

SdBus load() {
#ifdef OCIRT_STATIC
    throw Error(std::string("the systemd cgroup driver needs ") + kLibrary +
                ", which this ocirt cannot load: it is linked statically (OCIRT_LINK=full); "
                "build with OCIRT_LINK=mostly or shared");
#else
    // Never unloaded: the pointers are kept for the life of the process.
    void* h = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* why = ::dlerror();
        throw Error(std::string("the systemd cgroup driver needs ") + kLibrary +
                    " (Debian package libsystemd0): " + (why ? why : "dlopen failed"));
    }
    SdBus s;
#define OCIRT_SD_BUS_LOAD(f)                                                                 \
    s.f = reinterpret_cast<decltype(s.f)>(::dlsym(h, "sd_" #f));                             \
    if (!s.f) throw Error(std::string(kLibrary) + ": no symbol sd_" #f " (libsystemd too old?)");
    OCIRT_SD_BUS_FUNCTIONS(OCIRT_SD_BUS_LOAD)
#undef OCIRT_SD_BUS_LOAD
    return s;
#endif
}

}  // namespace

const SdBus& sd() {
    static const SdBus s = load();
    return s;
}

}  // namespace ocirt::cgroups::systemd
