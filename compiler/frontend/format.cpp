#include "frontend/format.h"

#include <algorithm>
#include <set>

#include "frontend/parser.h"

namespace shellc {
namespace {

bool isBlockKeyword(std::string_view t) {
  return t == "filesystem" || t == "process" || t == "syscalls" || t == "network" ||
         t == "inference" || t == "test";
}

// The space between two tokens of one statement, by the canonical layout.
// `statementStart` is the first word of the statement (`param x: int`, but `host:443`).
bool spaceBetween(const LexToken &prev, const LexToken &cur, std::string_view statementStart) {
  std::string_view p = prev.text, c = cur.text;
  if (c == "," || c == ")" || c == "]" || c == "." || p == "." || p == "(" || p == "[" || p == "@")
    return false;
  if (c == ":") return false;
  if (p == ":") return statementStart == "param";
  if (c == "-") return prev.kind != LexToken::Kind::Number;
  if (p == "-") return false;
  if (c == "(") return prev.kind != LexToken::Kind::Word;
  return true;
}

class Formatter {
public:
  Formatter(std::string_view text, const FormatInput &input) : text_(text), in_(input) {
    for (const StatementStart &s : in_.statements) starts_.insert(s.token);
    for (const StatementStart &s : in_.statements)
      if (s.topLevel) topLevel_.insert(s.token);
  }

  std::string run() {
    for (size_t i = 0; i < in_.tokens.size(); ++i) token(i);
    flushStatement();
    std::string out;
    for (const std::string &line : lines_) {
      out += line;
      out += '\n';
    }
    return out;
  }

private:
  struct Piece {
    std::string text;
    bool comment = false;
  };

  std::string indent(unsigned depth) const { return std::string(depth * 2, ' '); }

  bool blankBefore(size_t i) const {
    if (i == 0) return false;
    uint32_t from = in_.tokens[i - 1].begin + static_cast<uint32_t>(in_.tokens[i - 1].text.size());
    std::string_view gap = text_.substr(from, in_.tokens[i].begin - from);
    return std::count(gap.begin(), gap.end(), '\n') >= 2;
  }

  void ensureBlank() {
    if (!lines_.empty() && !lines_.back().empty() && lines_.back().back() != '{') lines_.push_back("");
  }

  // What kind of top-level item starts at token i: its keyword (`@name assert` is an assert).
  std::string_view topKind(size_t i) const {
    if (in_.tokens[i].text == "@" && i + 2 < in_.tokens.size()) return in_.tokens[i + 2].text;
    return in_.tokens[i].text;
  }

  // Items of one kind stay together; a new kind, and every block, starts after a blank line.
  bool wantsBlankBefore(size_t i) const {
    std::string_view kind = topKind(i);
    return afterBlock_ || isBlockKeyword(kind) || (!lastTopKind_.empty() && kind != lastTopKind_);
  }

  void token(size_t i) {
    const LexToken &t = in_.tokens[i];
    if (t.kind == LexToken::Kind::Comment) return comment(i);
    if (starts_.count(i)) {
      flushStatement();
      bool top = topLevel_.count(i) > 0;
      bool afterComment = !lines_.empty() && lastWasComment_;
      if (blankBefore(i) || (top && !afterComment && wantsBlankBefore(i))) ensureBlank();
      if (top) lastTopKind_ = topKind(i);
      afterBlock_ = false;
      statementDepth_ = depth_;
    }
    if (t.text == "{") {
      segment_ += segment_.empty() ? "{" : " {";
      flushStatement();
      ++depth_;
      return;
    }
    if (t.text == "}") {
      flushStatement();
      if (depth_ > 0) --depth_;
      emit(indent(depth_) + "}");
      afterBlock_ = depth_ == 0;
      return;
    }
    if (segment_.empty() && pieces_.empty()) {
      statementDepth_ = depth_;
      statementStart_ = t.text;
    }
    if (!segment_.empty() && prev_ && spaceBetween(*prev_, t, statementStart_)) segment_ += ' ';
    segment_ += t.text;
    prev_ = &t;
    if (t.text == ",") endSegment();
  }

  void comment(size_t i) {
    const LexToken &t = in_.tokens[i];
    std::string text(t.text);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
    if (text.size() > 1 && text[1] != ' ' && text[1] != '#' && text[1] != '!') text.insert(1, " ");
    bool trailing = i > 0 && in_.tokens[i - 1].line == t.line;
    if (trailing && (!segment_.empty() || !pieces_.empty())) {
      endSegment();
      pieces_.push_back({text, true});
      return;
    }
    if (trailing && !lines_.empty()) {
      lines_.back() += "  " + text;
      return;
    }
    flushStatement();
    // A comment before a top-level item belongs to it: the item's blank line goes first.
    bool opensItem = false;
    if (depth_ == 0 && !lastWasComment_) {
      size_t next = i + 1;
      while (next < in_.tokens.size() && in_.tokens[next].kind == LexToken::Kind::Comment) ++next;
      opensItem = next < in_.tokens.size() && topLevel_.count(next) && wantsBlankBefore(next);
    }
    if (blankBefore(i) || opensItem || (depth_ == 0 && afterBlock_)) ensureBlank();
    afterBlock_ = false;
    emit(indent(depth_) + text);
    lastWasComment_ = true;
  }

  void endSegment() {
    if (!segment_.empty()) pieces_.push_back({segment_, false});
    segment_.clear();
  }

  void emit(std::string line) {
    lines_.push_back(std::move(line));
    lastWasComment_ = false;
  }

  // Lays out one statement: on one line if it fits, else filled up to the width with
  // continuation lines indented 4 more.
  void flushStatement() {
    endSegment();
    prev_ = nullptr;
    if (pieces_.empty()) return;
    std::string first = indent(statementDepth_);
    std::string continuation = indent(statementDepth_) + "    ";
    std::string line = first;
    bool lineHasCode = false;
    for (const Piece &piece : pieces_) {
      if (piece.comment) {
        line += "  " + piece.text;
        emit(line);
        line = continuation;
        lineHasCode = false;
        continue;
      }
      if (!lineHasCode) {
        line += piece.text;
      } else if (line.size() + 1 + piece.text.size() <= kFormatWidth) {
        line += " " + piece.text;
      } else {
        emit(line);
        line = continuation + piece.text;
      }
      lineHasCode = true;
    }
    if (lineHasCode) emit(line);
    pieces_.clear();
  }

  std::string_view text_;
  const FormatInput &in_;
  std::set<size_t> starts_, topLevel_;
  std::vector<std::string> lines_;
  std::vector<Piece> pieces_;
  std::string segment_;
  const LexToken *prev_ = nullptr;
  std::string_view statementStart_;
  std::string_view lastTopKind_;
  unsigned depth_ = 0, statementDepth_ = 0;
  bool afterBlock_ = false, lastWasComment_ = false;
};

}  // namespace

bool formatPolicy(const SourceManager &sources, FileId file, DiagnosticEngine &diags,
                  std::string &out) {
  FormatInput input;
  if (!lexForFormat(sources, file, diags, input)) return false;
  out = Formatter(sources.text(file), input).run();
  return true;
}

}  // namespace shellc
