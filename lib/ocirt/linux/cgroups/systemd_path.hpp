#pragma once
// --systemd-cgroup: linux.cgroupsPath in runc's "slice:prefix:name" form, and
// where systemd puts the unit it names. Pure functions, no bus.
#include <optional>
#include <string>

namespace ocirt::cgroups::systemd {

struct UnitPath {
    std::string slice;  // the parent slice: "system.slice"; "-.slice" is the root
    std::string unit;   // "ocirt-abc.scope", or a slice "x-y.slice"
    std::string base;   // the manager's own cgroup: "" (system), "/user.slice/user-1000.slice/user@1000.service"
    std::string path;   // the unit's cgroup below the hierarchy root: base + "/system.slice/ocirt-abc.scope"

    bool is_slice() const;
};

// systemd's expansion of a slice name into its cgroup path, one level per
// dash: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" (the
// root slice) -> "". Throws an Error saying why the name is not a slice name
// (no ".slice", a leading, trailing or double dash, a character systemd does
// not allow in unit names).
std::string expand_slice(const std::string& slice);

// linux.cgroupsPath "slice:prefix:name" -> the unit:
//   absent or ""          -> ":ocirt:<id>"
//   slice ""              -> "system.slice", or "user.slice" when rootless
//   name ending ".slice"  -> that slice is the unit (prefix ignored); it must
//                            be a child of slice when slice is given
//   else                  -> "<prefix>-<name>.scope" ("<name>.scope" for an empty prefix)
// Anything else throws naming linux.cgroupsPath and the expected form.
UnitPath parse_cgroups_path(const std::optional<std::string>& value, const std::string& id, bool rootless);

// The inverse for a path recorded in state.json: "/system.slice/ocirt-abc.scope"
// -> its slice and unit. A user manager's unit has that manager's cgroup
// before it (up to ".../user@1000.service"), kept as base. Throws when the rest
// is not a path parse_cgroups_path returns (every level a slice nested by its
// dashes, the last a unit).
UnitPath unit_from_path(const std::string& path);

}  // namespace ocirt::cgroups::systemd
