#pragma once
// Small file helpers. Every fd is O_CLOEXEC; every error names the path.
#include <sys/types.h>

#include <string>

namespace ocirt {

std::string read_file(const std::string& path);
// Writes the whole string to an existing file (procfs, cgroupfs): no O_CREAT.
void write_existing(const std::string& path, const std::string& data);
// Writes a new file atomically: a temp file in the same dir, fsync-free rename.
void write_atomic(const std::string& path, const std::string& data, mode_t mode = 0644);
// mkdir -p; existing dirs are fine.
void mkdir_all(const std::string& path, mode_t mode = 0755);
// rm -rf of a tree that ocirt owns (the state dir); never crosses mounts.
void remove_all(const std::string& path);
bool path_exists(const std::string& path);
// Absolute, lexically cleaned path ("." and ".." and "//" resolved, no symlinks).
std::string clean_path(const std::string& path);
std::string absolute_path(const std::string& path);
std::string join_path(const std::string& a, const std::string& b);

}  // namespace ocirt
