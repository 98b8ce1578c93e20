#include "importers/yaml_input.h"

#include <algorithm>

#include "importers/policy_writer.h"

namespace shellc::importers {
namespace {

const char *kindName(const YAML::Node &node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (node.IsScalar()) return "a single value";
  return "empty";
}

}  // namespace

std::optional<YAML::Node> Fields::get(std::string_view key) const {
  for (auto &[k, v] : members_)
    if (k.Scalar() == key) return v.IsNull() ? std::nullopt : std::optional<YAML::Node>(v);
  return std::nullopt;
}

YAML::Node Fields::keyNode(std::string_view key) const {
  for (auto &[k, v] : members_)
    if (k.Scalar() == key) return k;
  return YAML::Node();
}

bool YamlInput::parse(YAML::Node &root) {
  try {
    root = YAML::Load(std::string(sources_.text(file_)));
    return true;
  } catch (const YAML::Exception &e) {
    report(e);
    return false;
  }
}

void YamlInput::report(const YAML::Exception &e) {
  std::string_view text = sources_.text(file_);
  uint32_t at = e.mark.is_null() ? 0 : std::min<uint32_t>(e.mark.pos, text.size());
  diags_.error("invalid-yaml", Span{file_, at, std::min<uint32_t>(at + 1, text.size())}, "not valid YAML: " + e.msg);
}

Span YamlInput::span(const YAML::Node &node) const {
  std::string_view text = sources_.text(file_);
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) return Span{file_, 0, 0};
  uint32_t begin = mark.pos, end = begin + 1;
  size_t lineEnd = std::min(text.find('\n', begin), text.size());
  if (node.IsScalar()) {
    // The scalar as written: quoted up to its closing quote, plain as its text (on this line).
    char quote = text[begin];
    size_t close = std::string_view::npos;
    if (quote == '"' || quote == '\'')
      for (close = begin + 1; close < lineEnd && text[close] != quote; ++close)
        if (quote == '"' && text[close] == '\\') ++close;
    end = close != std::string_view::npos ? std::min(close + 1, lineEnd)
                                          : std::min(begin + node.Scalar().size(), lineEnd);
  }
  return Span{file_, begin, std::max(end, begin + 1)};
}

uint32_t YamlInput::line(const YAML::Node &node) const {
  return sources_.lineCol(file_, span(node).begin).line;
}

void YamlInput::wrongType(const YAML::Node &node, std::string_view what, std::string_view expected) {
  diags_.error("invalid-type", span(node),
               std::string(what) + " must be " + std::string(expected) + ", not " + kindName(node));
}

std::optional<Fields> YamlInput::fields(const YAML::Node &node, const std::vector<std::string_view> &known,
                                        std::string_view what) {
  if (!node.IsMap()) {
    wrongType(node, what, "a mapping");
    return std::nullopt;
  }
  Fields out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;  // by value: *it is a temporary
    std::string name = key.IsScalar() ? key.Scalar() : "";
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      Diagnostic &d = diags_.error("unknown-key", span(key), "unknown key '" + name + "' in " + std::string(what));
      std::string guess = didYouMean(name, known);
      if (guess.empty()) {
        guess = "OpenShell knows: ";
        for (size_t i = 0; i < known.size(); ++i) guess += (i ? ", " : "") + std::string(known[i]);
      }
      d.withHint(guess);
      continue;
    }
    out.members_.emplace_back(key, it->second);
  }
  return out;
}

std::optional<std::string> YamlInput::scalar(const YAML::Node &node, std::string_view what) {
  if (!node.IsScalar()) {
    wrongType(node, what, "a single value");
    return std::nullopt;
  }
  if (!representable(node.Scalar())) {
    diags_.error("invalid-value", span(node), std::string(what) + " holds a control character");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> YamlInput::boolean(const YAML::Node &node, std::string_view what) {
  auto text = scalar(node, what);
  if (!text) return std::nullopt;
  for (const char *yes : {"true", "True", "TRUE"})
    if (*text == yes) return true;
  for (const char *no : {"false", "False", "FALSE"})
    if (*text == no) return false;
  diags_.error("invalid-value", span(node), std::string(what) + " must be true or false, not '" + *text + "'");
  return std::nullopt;
}

std::optional<std::vector<YAML::Node>> YamlInput::sequence(const YAML::Node &node, std::string_view what) {
  if (!node.IsSequence()) {
    wrongType(node, what, "a list");
    return std::nullopt;
  }
  return std::vector<YAML::Node>(node.begin(), node.end());
}

}  // namespace shellc::importers
