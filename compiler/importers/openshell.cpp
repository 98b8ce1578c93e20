#include "importers/openshell.h"

#include <algorithm>

#include "frontend/values.h"
#include "importers/importers.h"

namespace shellc::importers {
namespace {

const std::vector<std::string_view> kTopKeys = {"version", "filesystem_policy", "landlock", "process",
                                                "network_policies", "network_middlewares"};

// A comment and the statement it explains.
struct Statement {
  std::string comment, text;
};

// The sections OpenShell fixes when the sandbox starts: filesystem_policy, landlock, process.
class StaticSections {
public:
  StaticSections(YamlInput &in, std::string file, PolicyWriter &out) : in_(in), file_(std::move(file)), out_(out) {}

  void filesystem(const Fields &top, const YAML::Node &root) {
    std::vector<Statement> statements;
    size_t errors = in_.diags().errorCount();
    auto policy = top.get("filesystem_policy");
    if (!policy) {
      in_.diags().warning("missing-key", in_.span(root),
                          "no filesystem_policy: OpenShell then uses its default paths, and the imported policy "
                          "allows no path");
    } else if (auto fs = in_.fields(*policy, {"include_workdir", "read_only", "read_write"}, "filesystem_policy")) {
      auto workdir = fs->get("include_workdir");
      if (workdir && in_.boolean(*workdir, "include_workdir").value_or(false))
        statements.push_back({at(fs->keyNode("include_workdir"), "include_workdir"), "allow read, write, exec workspace"});
      // Landlock's read access, as OpenShell grants it, includes executing.
      paths(*fs, "read_only", "read, exec", statements);
      paths(*fs, "read_write", "read, write, exec", statements);
      if (statements.empty() && in_.diags().errorCount() == errors)
        in_.diags().warning("missing-key", in_.span(*policy),
                            "filesystem_policy lists no path: OpenShell then applies no Landlock ruleset, and the "
                            "imported policy allows no path");
    }
    if (auto landlock = top.get("landlock")) compatibility(*landlock, statements);
    block("filesystem", statements);
  }

  void process(const Fields &top) {
    auto node = top.get("process");
    auto fields = node ? in_.fields(*node, {"run_as_user", "run_as_group"}, "process") : std::nullopt;
    if (!fields) return;
    Id user = id(*fields, "run_as_user"), group = id(*fields, "run_as_group");
    std::vector<Statement> statements;
    if (user.number) {
      std::string ids = std::to_string(*user.number) + (group.number ? ":" + std::to_string(*group.number) : "");
      statements.push_back({at(*user.node, group.number ? "run_as_user, run_as_group" : "run_as_user"), "run_as " + ids});
      if (!group.number)
        in_.diags().warning("no-equivalent", in_.span(group.node ? *group.node : *user.node),
                            "without a numeric run_as_group, OpenShell runs as the user's primary group and "
                            "shellc as the group with the user's number: imported as run_as " + ids);
    } else if (user.node || group.node) {
      const YAML::Node &first = user.node ? *user.node : *group.node;
      in_.diags()
          .warning("no-equivalent", in_.span(first),
                   "'" + first.Scalar() + "' is a name, resolved in the sandbox's image, and shellc takes numeric "
                   "ids: not imported, so the sandbox runs as the user who starts it (and never as root)")
          .withHint("write `run_as UID:GID` in the process block of the imported policy");
      statements.push_back({at(first, "run_as_user, run_as_group") + ": no numeric ids, so the sandbox runs "
                            "as the user who starts it", ""});
    }
    block("process", statements);
  }

private:
  struct Id {
    std::optional<YAML::Node> node;
    std::optional<uint32_t> number;  // unset for a name
  };

  std::string at(const YAML::Node &node, std::string_view what) const {
    return file_ + ":" + std::to_string(in_.line(node)) + ": " + std::string(what);
  }

  void block(std::string_view name, const std::vector<Statement> &statements) {
    if (statements.empty()) return;
    out_.open(name);
    for (const Statement &s : statements) {
      out_.comment(s.comment);
      if (!s.text.empty()) out_.statement(s.text);
    }
    out_.close();
  }

  void paths(const Fields &fs, std::string_view key, std::string_view rights, std::vector<Statement> &out) {
    auto list = fs.get(key);
    auto items = list ? in_.sequence(*list, key) : std::nullopt;
    if (!items || items->empty()) return;
    std::string written;
    bool ok = true;
    for (const YAML::Node &item : *items) {
      auto text = in_.scalar(item, "a path");
      ir::Path path;
      ValueError e;
      if (!text) {
        ok = false;
        continue;
      }
      if (text->empty() || text->front() != '/') e = {"OpenShell paths are absolute", ""};
      else if (parsePath(*text, path, e) && key == "read_write" && path.rel.empty())
        e = {"OpenShell refuses '/' as a read_write path", "list the directories that must be writable"};
      if (e.message.empty()) {
        written += (written.empty() ? "" : ", ") + quoted(*text);
        continue;
      }
      in_.diags().error("invalid-path", in_.span(item), e.message).withHint(e.hint);
      ok = false;
    }
    if (ok) out.push_back({at(fs.keyNode(key), key), "allow " + std::string(rights) + " " + written});
  }

  void compatibility(const YAML::Node &node, std::vector<Statement> &out) {
    auto landlock = in_.fields(node, {"compatibility"}, "landlock");
    auto value = landlock ? landlock->get("compatibility") : std::nullopt;
    auto text = value ? in_.scalar(*value, "landlock.compatibility") : std::nullopt;
    if (!text) return;
    if (*text != "best_effort" && *text != "hard_requirement") {
      in_.diags()
          .error("invalid-value", in_.span(*value), "unknown Landlock compatibility '" + *text + "'")
          .withHint("best_effort or hard_requirement");
      return;
    }
    out.push_back({at(*value, "landlock.compatibility"), "compatibility " + *text});
  }

  Id id(const Fields &fields, std::string_view key) {
    auto node = fields.get(key);
    auto text = node ? in_.scalar(*node, key) : std::nullopt;
    if (!text || text->empty()) return {};
    if (!std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) return {*node, {}};
    uint64_t n = 0;
    ValueError e;
    if (!parseUnsigned(*text, n, e) || n == 0 || n > 4294967294u) {
      in_.diags().error("invalid-value", in_.span(*node), std::string(key) + " is a name or an id from 1 to 4294967294");
      return {};
    }
    return {*node, static_cast<uint32_t>(n)};
  }

  YamlInput &in_;
  std::string file_;
  PolicyWriter &out_;
};

bool checkVersion(YamlInput &in, const Fields &top, const YAML::Node &root) {
  auto version = top.get("version");
  auto text = version ? in.scalar(*version, "version") : std::nullopt;
  if (!version) in.diags().error("missing-key", in.span(root), "no 'version'").withHint("add `version: 1`");
  if (!text) return false;
  if (*text != "1") {
    in.diags().error("invalid-value", in.span(*version), "version " + *text + ": shellc imports version 1");
    return false;
  }
  return true;
}

}  // namespace

std::string lineList(std::vector<uint32_t> lines) {
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j + 1 < lines.size() && lines[j + 1] == lines[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(lines[i]) + (j > i ? "-" + std::to_string(lines[j]) : "");
    i = j + 1;
  }
  return out;
}

namespace {
// The policy, written into `writer`; false after an error.
bool translate(YamlInput &in, const std::string &name, const YAML::Node &root, PolicyWriter &writer) {
  size_t errors = in.diags().errorCount();
  auto top = in.fields(root, kTopKeys, "an OpenShell policy");
  if (!top || !checkVersion(in, *top, root)) return false;
  if (top->get("network_middlewares")) {
    in.diags()
        .error("no-equivalent", in.span(top->keyNode("network_middlewares")),
               "network middlewares have no equivalent in shellc yet")
        .withHint("remove network_middlewares to import the rest; requests then do not pass through them");
  }
  writer.comment("Imported by `shellc import openshell` from " + name + ".");
  writer.statement("policy " + identifier(name.substr(0, name.rfind('.'))));
  StaticSections sections(in, name, writer);
  sections.filesystem(*top, root);
  sections.process(*top);
  if (auto policies = top->get("network_policies")) writeNetworkPolicies(in, name, *policies, writer);
  return in.diags().errorCount() == errors;
}
}  // namespace

bool importOpenShell(SourceManager &sources, FileId file, DiagnosticEngine &diags, std::string &out) {
  YamlInput in(sources, file, diags);
  YAML::Node root;
  if (!in.parse(root)) return false;
  PolicyWriter writer;
  try {
    if (!translate(in, baseName(sources.name(file)), root, writer)) return false;
  } catch (const YAML::Exception &e) {
    // yaml-cpp throws on access it finds invalid; whatever the input, that is a diagnostic.
    in.report(e);
    return false;
  }
  return writer.finish(sources, sources.name(file) + " (imported)", diags, out);
}

}  // namespace shellc::importers
