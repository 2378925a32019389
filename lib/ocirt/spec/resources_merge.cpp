#include "ocirt/spec/resources_merge.hpp"

#include <algorithm>

namespace ocirt::spec {
namespace {

// The entries of a list that an update replaces in place (per device, page
// size or interface name); the others are appended.
template <typename T>
bool same_entry(const T& a, const T& b) {
    if constexpr (requires { a.major; }) return a.major == b.major && a.minor == b.minor;
    else if constexpr (std::is_same_v<T, HugepageLimit>) return a.page_size == b.page_size;
    else return a.name == b.name;  // NetworkPriority
}

template <typename T>
void merge(T& into, const T& from) {
    if constexpr (Described<T>) {
        for_each_field<T>([&](const auto& f) { merge(into.*f.member, from.*f.member); });
    } else if constexpr (requires { from.has_value(); }) {
        // An optional section absent from the update stays; a new one is made.
        if (!from) return;
        if constexpr (Described<typename T::value_type>) {
            if (!into) into.emplace();
            merge(*into, *from);
        } else {
            into = from;
        }
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!from.empty()) into = from;
    } else if constexpr (requires { typename T::key_type; }) {
        for (const auto& [key, value] : from) {
            if constexpr (Described<typename T::mapped_type>) merge(into[key], value);
            else into[key] = value;
        }
    } else if constexpr (requires { typename T::value_type; }) {
        using E = typename T::value_type;
        // Devices are never changed by an update. Elsewhere the last matching
        // entry is replaced, as the kernel keeps the last line written.
        if constexpr (!std::is_same_v<E, DeviceRule>) {
            for (const E& e : from) {
                auto it = std::find_if(into.rbegin(), into.rend(), [&](const E& x) { return same_entry(x, e); });
                if (it == into.rend()) into.push_back(e);
                else merge(*it, e);
            }
        }
    } else {
        into = from;
    }
}

}  // namespace

Resources merge_resources(Resources stored, const Resources& u) {
    // runc's two fix-ups (resources_merge.hpp).
    if (stored.memory && u.memory && u.memory->limit == -1 && !u.memory->swap) stored.memory->swap.reset();
    if (stored.cpu && u.cpu && u.cpu->idle && !u.cpu->shares) stored.cpu->shares.reset();
    merge(stored, u);
    return stored;
}

}  // namespace ocirt::spec
