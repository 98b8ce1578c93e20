// A YAML input file read with yaml-cpp, with diagnostics at the file:line:col of each node
// (yaml-cpp marks every node with where it starts).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "support/diagnostics.h"

namespace shellc::importers {

class YamlInput;

// The members of a YAML mapping whose keys were checked against the keys the format knows.
class Fields {
public:
  // The value of `key`; nullopt when it is absent or null, as YAML readers take both.
  std::optional<YAML::Node> get(std::string_view key) const;
  YAML::Node keyNode(std::string_view key) const;

private:
  friend class YamlInput;
  std::vector<std::pair<YAML::Node, YAML::Node>> members_;
};

class YamlInput {
public:
  YamlInput(const SourceManager &sources, FileId file, DiagnosticEngine &diags)
      : sources_(sources), file_(file), diags_(diags) {}

  // Parses the file's one document; false after reporting where it stops being UTF-8 or
  // YAML, a second document, a key written twice, or a document that its aliases make too
  // large.
  bool parse(YAML::Node &root);
  // Reports what yaml-cpp threw, where it says it happened.
  void report(const YAML::Exception &e);

  Span span(const YAML::Node &node) const;
  // Where a node starts; `scalar`, when the node is one, says how far it goes.
  Span span(const YAML::Mark &mark, const std::string *scalar) const;
  uint32_t line(const YAML::Node &node) const;  // 1-based

  // A mapping whose keys are all `known` (others are errors, with a "did you mean");
  // nullopt, reported, when the node is not a mapping.
  std::optional<Fields> fields(const YAML::Node &node, const std::vector<std::string_view> &known,
                               std::string_view what);
  // A scalar's text; nullopt, reported, for a list or a mapping, or a text with control
  // characters (which no policy value holds).
  std::optional<std::string> scalar(const YAML::Node &node, std::string_view what);
  std::optional<bool> boolean(const YAML::Node &node, std::string_view what);
  // The elements of a sequence; nullopt, reported, for anything else.
  std::optional<std::vector<YAML::Node>> sequence(const YAML::Node &node, std::string_view what);

  DiagnosticEngine &diags() { return diags_; }

private:
  void wrongType(const YAML::Node &node, std::string_view what, std::string_view expected);

  const SourceManager &sources_;
  FileId file_;
  DiagnosticEngine &diags_;
};

}  // namespace shellc::importers
