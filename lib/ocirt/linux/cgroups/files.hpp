#pragma once
// Reading and writing cgroupfs files and walking cgroup dirs. Errors name the path.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ocirt::cgroups {

// Writes "value\n" in one write(2), like `echo value >> file` (every cgroupfs
// parser accepts the newline). No O_CREAT: real control files always exist, a
// missing one is an error. O_APPEND: the kernel ignores it, and a fake tree in
// tests keeps every write as one line, so the order of writes can be checked.
void write_file(const std::string& path, const std::string& value);

// The whole file; std::nullopt when it does not exist (ENOENT).
std::optional<std::string> read_file_if_exists(const std::string& path);
std::string read_file(const std::string& path);

// Whether path exists (control files can be write-only: no read to probe them).
bool exists(const std::string& path);

// Pids listed in a cgroup.procs file; empty when the file does not exist.
std::vector<pid_t> read_pids(const std::string& procs_file);

// Every cgroup below dir (not dir itself), deepest first; empty when dir is missing.
std::vector<std::string> subdirs_deepest_first(const std::string& dir);

// Joins a dir and a file name.
inline std::string join(const std::string& dir, const std::string& name) {
    return dir + "/" + name;
}

}  // namespace ocirt::cgroups
