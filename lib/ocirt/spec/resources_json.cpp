#include "ocirt/spec/resources_json.hpp"

namespace ocirt::spec {
namespace {

using nlohmann::json;

template <typename T>
json to_json(const T& v);

// Whether a member is written: unset optionals, and empty strings, lists and
// maps are left out unless the member is required.
template <typename T>
bool present(const T& v, bool required) {
    if constexpr (requires { v.has_value(); }) return v.has_value();
    else if constexpr (requires { v.empty(); }) return required || !v.empty();
    else return true;
}

template <typename T>
json to_json(const T& v) {
    if constexpr (Described<T>) {
        json j = json::object();
        for_each_field<T>([&](const auto& f) {
            if (present(v.*f.member, f.required)) j[f.name] = to_json(v.*f.member);
        });
        return j;
    } else if constexpr (requires { v.has_value(); }) {
        return to_json(*v);
    } else if constexpr (requires { typename T::key_type; }) {
        json j = json::object();
        for (const auto& [key, value] : v) j[key] = to_json(value);
        return j;
    } else if constexpr (requires { typename T::value_type; } && !std::is_same_v<T, std::string>) {
        json a = json::array();
        for (const auto& e : v) a.push_back(to_json(e));
        return a;
    } else {
        return v;
    }
}

}  // namespace

json resources_to_json(const Resources& r) { return to_json(r); }

void store_resources(json& resources, const Resources& r) {
    if (!resources.is_object()) resources = json::object();
    for_each_field<Resources>([&](const auto& f) { resources.erase(f.name); });
    resources.update(resources_to_json(r));
}

}  // namespace ocirt::spec
