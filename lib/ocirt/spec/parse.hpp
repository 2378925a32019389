#pragma once
// Reading config.json (and the --process / --resources files of exec and
// update) into the typed model of config.hpp.
//
// Errors are ocirt::Error with the JSON path of the bad value first:
//   "process.args: expected array of strings, got number"
//   "mounts[2].destination: expected string, got null"
//   "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got number"
// Unknown properties are ignored (config.md, Extensibility) and JSON null in
// an optional field counts as absent. Only the shape of the document is
// checked here; the rules between fields are in validate.hpp.
#include <string>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

// JSON text; a syntax error reads "NAME: invalid JSON: parse error at line 3, ...".
nlohmann::json parse_json(const std::string& text, const std::string& name);

// A whole config.json document.
Config parse_config(const nlohmann::json& j);

// Reads and parses the file at `path`. Every error starts with the path:
// "/b/config.json: invalid JSON: ...", "/b/config.json: root.path: ...".
Config load_config(const std::string& path, std::string* text_out = nullptr);

// A process object (`exec --process p.json`); `path` prefixes the messages.
Process parse_process(const nlohmann::json& j, const std::string& path = "process");

// A resources object (`update -r file`); `path` prefixes the messages.
Resources parse_resources(const nlohmann::json& j,
                          const std::string& path = "linux.resources");

}  // namespace ocirt::spec
