#pragma once
// linux.resources back to config.json's JSON, the inverse of parse_resources:
// `update` persists the merged resources in the container's config copy.
#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

// Unset fields and empty lists/maps are left out; parse_resources of the
// result gives back `r`.
nlohmann::json resources_to_json(const Resources& r);

// Replaces the members of a linux.resources object that ocirt models with
// those of `r`, keeping members it does not know (extensions).
void store_resources(nlohmann::json& resources, const Resources& r);

}  // namespace ocirt::spec
