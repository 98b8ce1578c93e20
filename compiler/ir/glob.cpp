#include "ir/glob.h"

#include <algorithm>
#include <map>
#include <queue>
#include <vector>

namespace shellc::ir {
namespace {

// What the wildcards of one kind of glob mean.
struct Syntax {
  bool starCrossesSlash;  // else only `**` does
  bool question;          // `?` is one character, else a literal
  bool classes;           // `[...]` is a class, else literals
};

struct Token {
  enum class Kind { Literal, AnyChar, Class, Star };
  Kind kind = Kind::Literal;
  char literal = 0;
  bool crossesSlash = true;  // Star
  bool negated = false;      // Class
  std::string_view members;  // Class: between the brackets, after a '!'
};

std::vector<Token> tokenise(std::string_view glob, const Syntax &syntax) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < glob.size(); ++i) {
    Token t;
    char c = glob[i];
    size_t end;
    if (c == '*') {
      bool doubled = i + 1 < glob.size() && glob[i + 1] == '*';
      if (doubled) ++i;
      t.kind = Token::Kind::Star;
      t.crossesSlash = syntax.starCrossesSlash || doubled;
    } else if (c == '?' && syntax.question) {
      t.kind = Token::Kind::AnyChar;
    } else if (c == '[' && syntax.classes && (end = classEnd(glob, i)) != std::string_view::npos) {
      t.kind = Token::Kind::Class;
      t.negated = glob[i + 1] == '!';
      size_t first = i + 1 + (t.negated ? 1 : 0);
      t.members = glob.substr(first, end - first);
      i = end;
    } else {
      t.literal = c;
    }
    tokens.push_back(t);
  }
  return tokens;
}

bool inClass(const Token &t, char c) {
  bool found = false;
  std::string_view m = t.members;
  for (size_t i = 0; i < m.size() && !found; ++i) {
    if (i + 2 < m.size() && m[i + 1] == '-') {
      found = m[i] <= c && c <= m[i + 2];
      i += 2;
    } else {
      found = m[i] == c;
    }
  }
  return found != t.negated;
}

// Runs the glob as a nondeterministic automaton over the text: one state per token, so the
// time is linear in both and no pattern can make it backtrack exponentially.
bool match(std::string_view glob, std::string_view text, const Syntax &syntax) {
  std::vector<Token> tokens = tokenise(glob, syntax);
  const size_t n = tokens.size();
  std::vector<char> states(n + 1, 0), next(n + 1, 0);
  auto skipStars = [&](std::vector<char> &s) {  // a star may match nothing
    for (size_t i = 0; i < n; ++i)
      if (s[i] && tokens[i].kind == Token::Kind::Star) s[i + 1] = 1;
  };
  states[0] = 1;
  skipStars(states);
  for (char c : text) {
    std::fill(next.begin(), next.end(), 0);
    bool alive = false;
    for (size_t i = 0; i < n; ++i) {
      if (!states[i]) continue;
      const Token &t = tokens[i];
      switch (t.kind) {
      case Token::Kind::Star:
        if (t.crossesSlash || c != '/') next[i] = 1;
        break;
      case Token::Kind::Literal: next[i + 1] = next[i + 1] || c == t.literal; break;
      case Token::Kind::AnyChar: next[i + 1] = 1; break;
      case Token::Kind::Class: next[i + 1] = next[i + 1] || inClass(t, c); break;
      }
    }
    skipStars(next);
    for (char s : next) alive = alive || s;
    if (!alive) return false;
    states.swap(next);
  }
  return states[n];
}

// Where token t at position i goes on character c: i (a star stays), i + 1, or -1.
long step(const Token &t, size_t i, char c) {
  switch (t.kind) {
  case Token::Kind::Star: return t.crossesSlash || c != '/' ? static_cast<long>(i) : -1;
  case Token::Kind::Literal: return c == t.literal ? static_cast<long>(i + 1) : -1;
  case Token::Kind::AnyChar: return static_cast<long>(i + 1);
  case Token::Kind::Class: return inClass(t, c) ? static_cast<long>(i + 1) : -1;
  }
  return -1;
}

// The characters worth trying where two globs meet: their literals, the members and range
// ends of their classes, and a few ordinary ones for stars and negated classes.
std::string candidates(const std::vector<Token> &a, const std::vector<Token> &b) {
  std::string out = "xy0a-";
  for (const std::vector<Token> *tokens : {&a, &b})
    for (const Token &t : *tokens) {
      if (t.kind == Token::Kind::Literal) out += t.literal;
      if (t.kind == Token::Kind::Class) out += t.members;
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// A shortest text both globs match: a breadth-first walk over pairs of token positions.
std::optional<std::string> commonText(std::string_view globA, std::string_view globB, const Syntax &syntax) {
  std::vector<Token> a = tokenise(globA, syntax), b = tokenise(globB, syntax);
  using State = std::pair<size_t, size_t>;
  std::map<State, std::pair<State, std::string>> parent;
  std::queue<State> todo;
  auto visit = [&](State from, State to, std::string step) {
    if (parent.emplace(to, std::pair{from, std::move(step)}).second) todo.push(to);
  };
  visit({0, 0}, {0, 0}, "");
  std::string chars = candidates(a, b);
  while (!todo.empty()) {
    auto [i, j] = todo.front();
    todo.pop();
    if (i == a.size() && j == b.size()) {
      std::string out;
      for (State s{i, j}; s != State{0, 0}; s = parent[s].first) out = parent[s].second + out;
      return out;
    }
    if (i < a.size() && a[i].kind == Token::Kind::Star) visit({i, j}, {i + 1, j}, "");  // a star may match nothing
    if (j < b.size() && b[j].kind == Token::Kind::Star) visit({i, j}, {i, j + 1}, "");
    if (i == a.size() || j == b.size()) continue;
    for (char c : chars) {
      long ni = step(a[i], i, c), nj = step(b[j], j, c);
      if (ni >= 0 && nj >= 0) visit({i, j}, {static_cast<size_t>(ni), static_cast<size_t>(nj)}, std::string(1, c));
    }
  }
  return std::nullopt;
}

constexpr Syntax kModel{.starCrossesSlash = true, .question = true, .classes = false};
constexpr Syntax kBinary{.starCrossesSlash = false, .question = false, .classes = false};
constexpr Syntax kHttpPath{.starCrossesSlash = true, .question = true, .classes = true};

}  // namespace

size_t classEnd(std::string_view glob, size_t open) {
  size_t i = open + 1;
  if (i < glob.size() && glob[i] == '!') ++i;
  if (i < glob.size() && glob[i] == ']') ++i;
  return glob.find(']', i);
}

bool matchModelGlob(std::string_view glob, std::string_view model) { return match(glob, model, kModel); }
bool matchBinaryGlob(std::string_view glob, std::string_view path) { return match(glob, path, kBinary); }
bool matchHttpPathGlob(std::string_view glob, std::string_view path) { return match(glob, path, kHttpPath); }

std::optional<std::string> commonModelName(std::string_view a, std::string_view b) { return commonText(a, b, kModel); }
std::optional<std::string> commonBinary(std::string_view a, std::string_view b) { return commonText(a, b, kBinary); }
std::optional<std::string> commonHttpPath(std::string_view a, std::string_view b) { return commonText(a, b, kHttpPath); }

bool globsOverlap(std::string_view a, std::string_view b) {
  // Breadth-first search over pairs of positions, as in the product of two automata.
  const size_t n = a.size(), m = b.size();
  std::vector<char> seen((n + 1) * (m + 1), 0);
  std::vector<std::pair<size_t, size_t>> work{{0, 0}};
  auto visit = [&](size_t i, size_t j) {
    if (!seen[i * (m + 1) + j]) {
      seen[i * (m + 1) + j] = 1;
      work.push_back({i, j});
    }
  };
  seen[0] = 1;
  while (!work.empty()) {
    auto [i, j] = work.back();
    work.pop_back();
    if (i == n && j == m) return true;
    if (i < n && a[i] == '*') visit(i + 1, j);
    if (j < m && b[j] == '*') visit(i, j + 1);
    if (i < n && j < m) {
      char x = a[i], y = b[j];
      bool match = x == '*' || y == '*' || x == '?' || y == '?' || x == y;
      if (match && !(x == '*' && y == '*')) visit(x == '*' ? i : i + 1, y == '*' ? j : j + 1);
    }
  }
  return false;
}

size_t globSpecificity(std::string_view glob) {
  return std::count_if(glob.begin(), glob.end(), [](char c) { return c != '*' && c != '?'; });
}

}  // namespace shellc::ir
