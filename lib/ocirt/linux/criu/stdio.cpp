// stdio.hpp: the init's stdio in descriptors.json.
#include "ocirt/linux/criu/stdio.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_::criu {

InitStdio init_stdio(pid_t pid) {
    const std::string proc = "/proc/" + std::to_string(pid);
    std::set<long> mounts;  // the container's mount ids
    {
        std::istringstream in(read_file(proc + "/mountinfo"));
        for (std::string l; std::getline(in, l);) mounts.insert(std::strtol(l.c_str(), nullptr, 10));
    }
    InitStdio out;
    for (int fd = 0; fd < 3; ++fd) {
        const std::string link = proc + "/fd/" + std::to_string(fd);
        char buf[4096];
        ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
        std::string target = n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
        if (!target.empty() && target[0] == '/') {
            long mnt_id = -1;
            std::istringstream info(read_file(proc + "/fdinfo/" + std::to_string(fd)));
            for (std::string l; std::getline(info, l);)
                if (l.rfind("mnt_id:", 0) == 0) mnt_id = std::strtol(l.c_str() + 7, nullptr, 10);
            struct stat st;
            if (mnt_id >= 0 && !mounts.count(mnt_id) && ::stat(link.c_str(), &st) == 0) {
                char key[64];
                std::snprintf(key, sizeof key, "file[%lx:%llx]", mnt_id, static_cast<unsigned long long>(st.st_ino));
                target = key;
                out.external.push_back(target);
            }
        }
        out.descriptors.push_back(target);
    }
    return out;
}

void write_descriptors(const std::string& images, const std::vector<std::string>& descriptors) {
    write_atomic(join_path(images, kDescriptorsFile), nlohmann::json(descriptors).dump(), 0600);
}

std::vector<std::string> read_descriptors(const std::string& images) {
    std::vector<std::string> out;
    const std::string path = join_path(images, kDescriptorsFile);
    if (!path_exists(path)) return out;
    try {
        for (const auto& d : nlohmann::json::parse(read_file(path))) out.push_back(d.get<std::string>());
    } catch (const std::exception& e) {
        throw Error(EBADMSG, path + ": " + e.what());
    }
    return out;
}

bool inherited(const std::string& d) { return d.rfind("pipe:", 0) == 0 || d.rfind("file[", 0) == 0; }

}  // namespace ocirt::linux_::criu
