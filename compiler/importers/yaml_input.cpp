#include "importers/yaml_input.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <unordered_map>

#include <yaml-cpp/eventhandler.h>

#include "importers/policy_writer.h"

namespace shellc::importers {
namespace {

const char *kindName(const YAML::Node &node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (node.IsScalar()) return "a single value";
  return "empty";
}

// Past these a document is no policy: OpenShell's hold a few hundred values, a few kilobytes.
constexpr uint64_t kMaxValues = 100000;
constexpr uint64_t kMaxTextBytes = 4 << 20;

// Reads the events of a document, before yaml-cpp builds its tree, for what the tree hides:
// - its size with each alias expanded. yaml-cpp shares an anchor's node between its aliases,
//   but the importer copies what each alias stands for into the policy it writes, so a few
//   kilobytes of aliases of aliases (a "billion laughs") would cost gigabytes;
// - a key written twice in one mapping: the tree keeps both, and lookups find the first;
// - tags, which the importer does not apply.
class DocumentCheck : public YAML::EventHandler {
public:
  explicit DocumentCheck(YamlInput &in) : in_(in) {}

  void OnDocumentStart(const YAML::Mark &) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &mark, YAML::anchor_t id) override { leaf(mark, id, nullptr); }
  void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t id,
                const std::string &value) override {
    checkTag(mark, tag);
    leaf(mark, id, &value);
  }
  void OnAlias(const YAML::Mark &mark, YAML::anchor_t id) override {
    const Anchored &target = anchor(id);
    child(mark, target.scalar ? &*target.scalar : nullptr);
    if (target.open) {
      in_.diags().error("invalid-yaml", in_.span(mark, nullptr),
                        "this alias is inside the node it refers to: the document would be infinite");
      tooLarge_ = true;
      return;
    }
    add(mark, target.size);
  }
  void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t id,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, id, false);
  }
  void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t id,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, id, true);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapEnd() override { close(); }

private:
  struct Size {
    uint64_t values = 0, bytes = 0;
  };
  struct Anchored {
    Size size;
    bool open = false;                  // a collection still being read
    std::optional<std::string> scalar;  // so that an alias used as a key compares as its text
  };
  struct Collection {
    bool map = false;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Size before;        // the document's size when the collection started
    size_t members = 0;  // keys and values alike, for a mapping
    std::unordered_map<std::string, YAML::Mark> keys;
  };

  Anchored &anchor(YAML::anchor_t id) {
    if (anchors_.size() <= id) anchors_.resize(id + 1);
    return anchors_[id];
  }

  void leaf(const YAML::Mark &mark, YAML::anchor_t id, const std::string *scalar) {
    child(mark, scalar);
    Size size{1, scalar ? scalar->size() : 0};
    if (id != YAML::NullAnchor) anchor(id) = {size, false, scalar ? std::optional(*scalar) : std::nullopt};
    add(mark, size);
  }

  void open(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t id, bool map) {
    checkTag(mark, tag);
    child(mark, nullptr);
    add(mark, {1, 0});
    if (id != YAML::NullAnchor) anchor(id).open = true;
    stack_.push_back({map, id, total_, 0, {}});
  }

  void close() {
    const Collection &done = stack_.back();
    if (done.anchor != YAML::NullAnchor)
      anchor(done.anchor) = {{total_.values - done.before.values, total_.bytes - done.before.bytes}, false, {}};
    stack_.pop_back();
  }

  // A node inside the innermost collection: in a mapping, every other one is a key.
  void child(const YAML::Mark &mark, const std::string *text) {
    if (stack_.empty() || !stack_.back().map || stack_.back().members++ % 2 != 0 || !text) return;
    auto [first, fresh] = stack_.back().keys.emplace(*text, mark);
    if (fresh) return;
    in_.diags()
        .error("duplicate-key", in_.span(mark, text),
               "duplicate key '" + *text + "': YAML readers disagree on which of the two counts")
        .withNote(in_.span(first->second, text), "first written here")
        .withHint("merge the two, or delete one");
  }

  void add(const YAML::Mark &mark, Size size) {
    if (tooLarge_) return;
    total_.values += size.values;
    total_.bytes += size.bytes;
    if (total_.values <= kMaxValues && total_.bytes <= kMaxTextBytes) return;
    tooLarge_ = true;
    std::string what = total_.values > kMaxValues ? std::to_string(kMaxValues) + " values"
                                                  : std::to_string(kMaxTextBytes >> 20) + " MiB of text";
    in_.diags()
        .error("too-large", in_.span(mark, nullptr), "with its aliases expanded, the document holds more than " + what)
        .withHint("an OpenShell policy holds a few hundred values; aliases that repeat aliases multiply (a "
                  "\"billion laughs\")");
  }

  // yaml-cpp marks untagged nodes "?" (plain scalars, collections) or "!" (quoted scalars).
  void checkTag(const YAML::Mark &mark, const std::string &tag) {
    if (tag.empty() || tag == "?" || tag == "!") return;
    const std::string core = "tag:yaml.org,2002:";  // what `!!` stands for
    std::string written = tag.rfind(core, 0) == 0 ? "!!" + tag.substr(core.size()) : tag;
    in_.diags().warning("ignored-tag", in_.span(mark, nullptr),
                        "the tag '" + written + "' is ignored: the value is read as it is written");
  }

  YamlInput &in_;
  Size total_;
  bool tooLarge_ = false;  // reported once; the rest of the document is not counted
  std::vector<Anchored> anchors_;
  std::vector<Collection> stack_;
};

// Where a document starts; the rest of it is not looked at.
class DocumentStart : public YAML::EventHandler {
public:
  std::optional<YAML::Mark> mark;

  void OnDocumentStart(const YAML::Mark &at) override { mark = at; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t, const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

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
  std::string text(sources_.text(file_));
  size_t errors = diags_.errorCount();
  // yaml-cpp passes other bytes through, into the names and comments of the policy written.
  if (size_t bad = firstInvalidUtf8(text); bad != std::string::npos) {
    diags_.error("invalid-utf8", Span{file_, uint32_t(bad), uint32_t(bad + 1)}, "the file is not valid UTF-8")
        .withHint("OpenShell reads its policies as UTF-8 text");
    return false;
  }
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentCheck check(*this);
    parser.HandleNextDocument(check);
    // OpenShell reads one document; a second one, ignored, could be what its author meant.
    DocumentStart second;
    if (parser.HandleNextDocument(second) && second.mark)
      diags_.error("multiple-documents", span(*second.mark, nullptr), "a second YAML document: a policy is one")
          .withHint("put the policy in one document, or each document in a file of its own");
    if (diags_.errorCount() != errors) return false;
    root = YAML::Load(text);
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
  return span(node.Mark(), node.IsScalar() ? &node.Scalar() : nullptr);
}

Span YamlInput::span(const YAML::Mark &mark, const std::string *scalar) const {
  std::string_view text = sources_.text(file_);
  if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) return Span{file_, 0, 0};
  uint32_t begin = mark.pos, end = begin + 1;
  size_t lineEnd = std::min(text.find('\n', begin), text.size());
  auto tokenEnd = [&](size_t at) {
    while (at < lineEnd && !std::strchr(" \t\r,[]{}", text[at])) ++at;
    return static_cast<uint32_t>(at);
  };
  if (text[begin] == '*') return Span{file_, begin, std::max(tokenEnd(begin), end)};
  // yaml-cpp marks a node where its anchor or tag is: the node's own text follows them.
  while (text[begin] == '&' || text[begin] == '!') {
    size_t next = text.find_first_not_of(" \t", tokenEnd(begin));
    if (next >= lineEnd) break;  // the node starts on a line of its own
    begin = next;
  }
  if (scalar) {
    // The scalar as written: quoted up to its closing quote, plain as its text (on this line).
    char quote = text[begin];
    size_t close = std::string_view::npos;
    if (quote == '"' || quote == '\'')
      for (close = begin + 1; close < lineEnd && text[close] != quote; ++close)
        if (quote == '"' && text[close] == '\\') ++close;
    end = close != std::string_view::npos ? std::min(close + 1, lineEnd)
                                          : std::min(begin + scalar->size(), lineEnd);
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
