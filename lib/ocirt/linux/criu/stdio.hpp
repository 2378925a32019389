#pragma once
// The init's stdio across a checkpoint: descriptors.json in the image dir
// (runc's file name and format, a JSON array for fds 0, 1, 2). Pipes and
// sockets are recorded by their link ("pipe:[123]"). A file opened outside
// the container (conmon's /dev/null, a log file), which CRIU cannot find among
// the container's mounts, is recorded by CRIU's external key
// "file[MNT_ID:INODE]" (hex) and marked external on dump. Restore hands its
// own fd of the same number to CRIU for pipes and those files.
#include <sys/types.h>

#include <string>
#include <vector>

namespace ocirt::linux_::criu {

inline constexpr const char* kDescriptorsFile = "descriptors.json";

struct InitStdio {
    std::vector<std::string> descriptors;  // fd 0, 1, 2 ("" for a closed one)
    std::vector<std::string> external;     // the file[...] keys among them
};

// From /proc/PID: the fds' links, fdinfo's mnt_id, the container's mountinfo.
InitStdio init_stdio(pid_t pid);

void write_descriptors(const std::string& images, const std::vector<std::string>& descriptors);
// Empty when the image has no descriptors.json; EBADMSG naming it when it is not a list of strings.
std::vector<std::string> read_descriptors(const std::string& images);

// Whether restore passes its own fd for this recorded descriptor.
bool inherited(const std::string& descriptor);

}  // namespace ocirt::linux_::criu
