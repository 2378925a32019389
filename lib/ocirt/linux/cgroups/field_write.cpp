#include "ocirt/linux/cgroups/field_write.hpp"

#include <cerrno>
#include <charconv>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

void require_file(const std::string& field, const std::string& path) {
    if (!exists(path))
        throw Error(field + ": " + path + " does not exist (this kernel or its configuration lacks it)");
}

}  // namespace

int try_write_field(const std::string& field, const std::string& path, const std::string& value) {
    require_file(field, path);
    try {
        write_file(path, value);
        return 0;
    } catch (Error& e) {
        if (e.code() != 0) return e.code();
        e.wrap(field);
        throw;
    }
}

void write_failed(const std::string& field, const std::string& path, const std::string& value, int err) {
    throw Error(err, field + ": write \"" + value + "\" to " + path);
}

std::string write_or_defer(const std::string& field, const std::string& path, const std::string& value,
                           bool retry_later) {
    int err = try_write_field(field, path, value);
    if (err == 0) return "";
    if (err != EINVAL || !retry_later) write_failed(field, path, value, err);
    return value;
}

void write_field(const std::string& field, const std::string& path, const std::string& value) {
    if (int err = try_write_field(field, path, value)) write_failed(field, path, value, err);
}

uint64_t read_number(const std::string& field, const std::string& path) {
    std::string text = with_context(field, [&] { return read_file(path); });
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end == text.data()) throw Error(field + ": " + path + ": not a number: " + text);
    return v;
}

void write_field_lines(const std::string& field, const std::string& path, const std::string& value) {
    require_file(field, path);
    size_t start = 0;
    while (start <= value.size()) {
        size_t end = value.find('\n', start);
        if (end == std::string::npos) end = value.size();
        std::string line = value.substr(start, end - start);
        if (!line.empty()) write_field(field, path, line);
        start = end + 1;
    }
}

}  // namespace ocirt::cgroups
