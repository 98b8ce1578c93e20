// The parts of the OpenShell importer, one per section of its YAML.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "importers/policy_writer.h"
#include "importers/yaml_input.h"

namespace shellc::importers {

// `network_policies` -> a network block. `file` is the name the comments point into.
void writeNetworkPolicies(YamlInput &in, const std::string &file, const YAML::Node &policies, PolicyWriter &out);

// "42", "42-44, 47": the YAML lines a rule came from.
std::string lineList(std::vector<uint32_t> lines);

}  // namespace shellc::importers
