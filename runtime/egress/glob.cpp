#include "egress/glob.h"

#include <vector>

namespace shellrt::egress {

namespace {

struct Element {
  enum Kind { Char, Any, Class, Star } kind = Char;
  char c = 0;
  bool acrossSlash = true, negated = false;
  std::string_view set;  // a class's members
};

// A class is "[...]" whose ']' comes after at least one member ("[]" and "[!]" start one
// whose first member is ']'); an unclosed '[' is a literal.
size_t closing(std::string_view g, size_t open) {
  size_t i = open + 1;
  if (i < g.size() && g[i] == '!') ++i;
  if (i < g.size() && g[i] == ']') ++i;
  for (; i < g.size(); ++i)
    if (g[i] == ']') return i;
  return std::string_view::npos;
}

std::vector<Element> parse(std::string_view g, bool httpPath) {
  std::vector<Element> out;
  for (size_t i = 0; i < g.size(); ++i) {
    Element e;
    size_t end;
    if (g[i] == '*') {
      bool twice = i + 1 < g.size() && g[i + 1] == '*';
      i += twice;
      e.kind = Element::Star;
      e.acrossSlash = httpPath || twice;
    } else if (httpPath && g[i] == '?') {
      e.kind = Element::Any;
    } else if (httpPath && g[i] == '[' && (end = closing(g, i)) != std::string_view::npos) {
      e.kind = Element::Class;
      e.negated = g[i + 1] == '!';
      e.set = g.substr(i + 1 + e.negated, end - i - 1 - e.negated);
      i = end;
    } else {
      e.c = g[i];
    }
    out.push_back(e);
  }
  return out;
}

bool inSet(const Element &e, char c) {
  bool hit = false;
  for (size_t i = 0; i < e.set.size() && !hit; ++i) {
    bool range = i + 2 < e.set.size() && e.set[i + 1] == '-';
    hit = range ? e.set[i] <= c && c <= e.set[i + 2] : e.set[i] == c;
    if (range) i += 2;
  }
  return hit != e.negated;
}

// reach[k]: the first k elements can match the text read so far. Linear in both lengths
// for each character: no glob makes it backtrack.
bool run(const std::vector<Element> &p, std::string_view text) {
  std::vector<bool> reach(p.size() + 1, false);
  auto closeOverStars = [&](std::vector<bool> &r) {
    for (size_t k = 0; k < p.size(); ++k)
      if (r[k] && p[k].kind == Element::Star) r[k + 1] = true;
  };
  reach[0] = true;
  closeOverStars(reach);
  std::vector<bool> next;
  for (char c : text) {
    next.assign(p.size() + 1, false);
    for (size_t k = 0; k < p.size(); ++k) {
      if (!reach[k]) continue;
      const Element &e = p[k];
      if (e.kind == Element::Star) next[k] = next[k] || e.acrossSlash || c != '/';
      else if (e.kind == Element::Any || (e.kind == Element::Char && e.c == c) || (e.kind == Element::Class && inSet(e, c)))
        next[k + 1] = true;
    }
    closeOverStars(next);
    reach.swap(next);
  }
  return reach[p.size()];
}

// Where the glob's first wildcard is (npos: it has none); what comes before it matches only
// itself. Most globs are a literal path (a binary, an API's route): compared, not run.
size_t firstWildcard(std::string_view g, bool httpPath) {
  for (size_t i = 0; i < g.size(); ++i)
    if (g[i] == '*' || (httpPath && (g[i] == '?' || (g[i] == '[' && closing(g, i) != std::string_view::npos)))) return i;
  return std::string_view::npos;
}

bool match(std::string_view glob, std::string_view text, bool httpPath) {
  size_t literal = firstWildcard(glob, httpPath);
  if (literal == std::string_view::npos) return glob == text;
  if (text.substr(0, literal) != glob.substr(0, literal)) return false;
  return run(parse(glob.substr(literal), httpPath), text.substr(literal));
}

}  // namespace

bool matchBinary(std::string_view glob, std::string_view path) { return match(glob, path, false); }
bool matchHttpPath(std::string_view glob, std::string_view path) { return match(glob, path, true); }

}  // namespace shellrt::egress
