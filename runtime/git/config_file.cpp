#include "config_file.h"

#include "bundle/bundle.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace shellrt::git {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A cursor over the file, counting lines for the error.
struct Reader {
  const std::string &text;
  size_t at = 0;
  unsigned line = 1;

  bool done() const { return at >= text.size(); }
  char peek() const { return done() ? '\n' : text[at]; }
  char next() {
    char c = peek();
    if (done()) return c;  // the end reads as a newline, on the last line still
    ++at;
    if (c == '\n') ++line;
    return c;
  }
  void skipBlanks() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == '\r')) next();
  }
  void skipComment() {
    while (!done() && peek() != '\n') next();
  }
};

bool fail(const Reader &r, const std::string &why, std::string &error) {
  error = "line " + std::to_string(r.line) + ": " + why;
  return false;
}

// `[section]`, `[section "sub"]` or the old `[section.sub]`; the cursor is past the `[`.
bool readSection(Reader &r, std::string &section, std::string &error) {
  std::string name;
  while (std::isalnum(static_cast<unsigned char>(r.peek())) || r.peek() == '-' || r.peek() == '.') name += r.next();
  if (name.empty()) return fail(r, "a section header without a name", error);
  section = lower(name);
  if (r.peek() == ' ' || r.peek() == '\t') {
    r.skipBlanks();
    if (r.next() != '"') return fail(r, "a subsection must be quoted", error);
    std::string sub;
    for (char c; (c = r.next()) != '"';) {
      if (c == '\n') return fail(r, "an unterminated subsection", error);
      if (c == '\\') c = r.next();
      sub += c;
    }
    section += "." + sub;
  }
  if (r.next() != ']') return fail(r, "a section header without its ]", error);
  return true;
}

// What follows `=`: quotes, escapes and continuation lines, as git reads them.
bool readValue(Reader &r, std::string &value, std::string &error) {
  bool quoted = false;
  size_t keep = 0;  // the length without trailing blanks outside quotes
  r.skipBlanks();
  for (;;) {
    char c = r.peek();
    if (r.done() || c == '\n') {
      if (quoted) return fail(r, "an unterminated quote", error);
      break;
    }
    r.next();
    if (!quoted && (c == '#' || c == ';')) {
      r.skipComment();
      break;
    }
    if (c == '"') {
      quoted = !quoted;
      keep = value.size();
      continue;
    }
    if (c == '\\') {
      char e = r.next();
      if (e == '\r' && r.peek() == '\n') e = r.next();
      if (e == '\n') continue;  // a continuation line
      const std::string escapes = "ntb\\\"", meant = "\n\t\b\\\"";
      size_t i = escapes.find(e);
      if (i == std::string::npos) return fail(r, std::string("an unknown escape \\") + e, error);
      value += meant[i];
      keep = value.size();
      continue;
    }
    value += c;
    if (quoted || (c != ' ' && c != '\t' && c != '\r')) keep = value.size();
  }
  value.resize(keep);
  return true;
}

bool readSetting(Reader &r, const std::string &section, std::vector<Setting> &out, std::string &error) {
  if (section.empty()) return fail(r, "a setting before any section", error);
  Setting s;
  s.line = r.line;
  std::string name;
  while (std::isalnum(static_cast<unsigned char>(r.peek())) || r.peek() == '-') name += r.next();
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0])))
    return fail(r, "a setting's name must start with a letter", error);
  // The subsection keeps its case; the section's and the name's are git's lowercase.
  s.key = section + "." + lower(name);
  r.skipBlanks();
  if (r.peek() == '=') {
    r.next();
    if (!readValue(r, s.value, error)) return false;
  } else if (r.peek() == '#' || r.peek() == ';') {
    r.skipComment();
    s.value = "true";
  } else if (r.done() || r.peek() == '\n') {
    s.value = "true";
  } else {
    return fail(r, "a setting's name is followed by neither = nor the end of the line", error);
  }
  out.push_back(std::move(s));
  return true;
}

bool matches(const std::string &key, const std::string &pattern) {
  // "section.*.name" matches any subsection; the rest matches exactly.
  size_t star = pattern.find(".*.");
  if (star == std::string::npos) return key == pattern;
  std::string head = pattern.substr(0, star + 1), tail = pattern.substr(star + 2);
  return key.size() > head.size() + tail.size() && key.compare(0, head.size(), head) == 0 &&
         key.compare(key.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

bool parseConfig(const std::string &text, std::vector<Setting> &out, std::string &error) {
  Reader r{text};
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) r.at = 3;
  std::string section;
  while (!r.done()) {
    r.skipBlanks();
    char c = r.peek();
    if (c == '\n') r.next();
    else if (c == '#' || c == ';') r.skipComment();
    else if (c == '[') {
      r.next();
      if (!readSection(r, section, error)) return false;
    } else if (!readSetting(r, section, out, error)) {
      return false;
    }
  }
  return true;
}

namespace {

// A setting outside the allow-list: one that git does not write itself, nor a name or
// preference that runs nothing (config_file.h).
bool isUnsafe(const Setting &s, const std::string &gitDir, const std::string &workspace) {
  static const char *const kHarmless[] = {
      "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates", "core.ignorecase",
      "core.precomposeunicode", "core.symlinks", "core.autocrlf", "core.eol", "core.safecrlf",
      "core.sparsecheckout", "core.sparsecheckoutcone", "core.quotepath", "core.checkstat", "core.trustctime",
      "core.untrackedcache", "extensions.worktreeconfig", "extensions.objectformat", "extensions.partialclone",
      "remote.*.url", "remote.*.pushurl", "remote.*.fetch", "remote.*.tagopt", "remote.*.promisor",
      "remote.*.partialclonefilter", "remote.*.mirror", "remote.*.prune", "branch.*.remote", "branch.*.merge",
      "branch.*.rebase", "branch.*.pushremote", "submodule.*.url", "submodule.*.active", "submodule.*.branch",
      "user.name", "user.email", "init.defaultbranch", "pull.rebase", "pull.ff", "fetch.prune", "push.default",
      "gc.auto", "index.version"};
  if (s.key == "core.worktree")
    return !pathWithin(normalisePath(s.value.size() && s.value[0] == '/' ? s.value : gitDir + "/" + s.value), workspace);
  return std::none_of(std::begin(kHarmless), std::end(kHarmless), [&](const char *p) { return matches(s.key, p); });
}

}  // namespace

std::vector<Setting> unsafeSettings(const std::vector<Setting> &settings, const std::string &gitDir,
                                    const std::string &workspace) {
  std::vector<Setting> unsafe;
  for (const Setting &s : settings)
    if (isUnsafe(s, gitDir, workspace)) unsafe.push_back(s);
  return unsafe;
}

namespace {

// NAME of a key SECTION.NAME.FIELD (a remote's or branch's name may hold dots); "" otherwise.
std::string subsectionOf(const std::string &key, const std::string &section, const std::string &field) {
  std::string head = section + ".", tail = "." + field;
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return "";
  return key.substr(head.size(), key.size() - head.size() - tail.size());
}

// A setting that sends the user's own pushes or fetches somewhere new: another URL for a
// remote the configuration had, or a branch made to track a remote it did not have.
bool redirects(const Setting &s, const std::set<std::string> &remotesBefore) {
  std::string remote = subsectionOf(s.key, "remote", "url");
  if (remote.empty()) remote = subsectionOf(s.key, "remote", "pushurl");
  if (!remote.empty()) return remotesBefore.count(remote) > 0;
  bool tracking = !subsectionOf(s.key, "branch", "remote").empty() || !subsectionOf(s.key, "branch", "pushremote").empty();
  return tracking && s.value != "." && !remotesBefore.count(s.value);
}

}  // namespace

std::vector<Setting> addedUnsafeSettings(const std::vector<Setting> &now, const std::vector<Setting> &before,
                                         const std::string &gitDir, const std::string &workspace) {
  std::set<std::string> remotesBefore;
  for (const Setting &b : before)
    if (std::string remote = subsectionOf(b.key, "remote", "url"); !remote.empty()) remotesBefore.insert(remote);
  std::vector<Setting> added;
  for (const Setting &s : now) {
    bool held = std::any_of(before.begin(), before.end(), [&](const Setting &b) { return b.key == s.key && b.value == s.value; });
    if (!held && (isUnsafe(s, gitDir, workspace) || redirects(s, remotesBefore))) added.push_back(s);
  }
  return added;
}

std::string keysOf(const std::vector<Setting> &settings) {
  std::string out;
  for (const Setting &s : settings) out += (out.empty() ? "" : ", ") + s.key;
  return out;
}

std::vector<std::string> includedFiles(const std::vector<Setting> &settings, const std::string &configDir,
                                       const std::string &home) {
  std::vector<std::string> files;
  for (const Setting &s : settings) {
    bool include = s.key == "include.path" || (s.key.rfind("includeif.", 0) == 0 && s.key.size() > 15 &&
                                               s.key.compare(s.key.size() - 5, 5, ".path") == 0);
    if (!include || s.value.empty()) continue;
    if (s.value[0] == '/') files.push_back(normalisePath(s.value));
    else if (s.value.rfind("~/", 0) == 0) files.push_back(normalisePath(home + s.value.substr(1)));
    else files.push_back(normalisePath(configDir + "/" + s.value));
  }
  return files;
}

std::string parentOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string normalisePath(const std::string &path) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string &p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

}  // namespace shellrt::git
