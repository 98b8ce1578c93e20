#include "frontend/parser.h"

#include <antlr4-runtime.h>

#include "ShellPolicyLexer.h"
#include "ShellPolicyParser.h"

namespace shellc {
namespace {

using grammar::ShellPolicyLexer;
using grammar::ShellPolicyParser;
using P = ShellPolicyParser;

// ANTLR counts code points; diagnostics count bytes. Only non-ASCII files need a table.
// (SourceManager has already dropped a byte-order mark, as ANTLR would.)
class OffsetMap {
public:
  explicit OffsetMap(std::string_view text) {
    bool ascii = true;
    for (char c : text)
      if (static_cast<unsigned char>(c) >= 0x80) { ascii = false; break; }
    if (ascii) return;
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byteOf_.push_back(i);
    byteOf_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t codePoint) const {
    if (byteOf_.empty()) return static_cast<uint32_t>(codePoint);
    return byteOf_[std::min(codePoint, byteOf_.size() - 1)];
  }

private:
  std::vector<uint32_t> byteOf_;
};

std::string describeToken(const antlr4::dfa::Vocabulary &vocab, size_t type) {
  switch (type) {
  case antlr4::Token::EOF: return "end of file";
  case ShellPolicyLexer::IDENT: return "a name";
  case ShellPolicyLexer::STRING: return "a string";
  case ShellPolicyLexer::INT: return "a number";
  case ShellPolicyLexer::QUANTITY: return "a quantity (e.g. 8GiB, 60s)";
  case ShellPolicyLexer::ADDR4: return "an IPv4 address";
  default: return vocab.getLiteralName(type);
  }
}

struct AbortParse {};

class SyntaxErrors : public antlr4::BaseErrorListener {
public:
  SyntaxErrors(FileId file, const OffsetMap &offsets, DiagnosticEngine &diags)
      : file_(file), offsets_(offsets), diags_(diags) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t, size_t,
                   const std::string &, std::exception_ptr) override {
    ++count;
    auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
    Span span{file_, 0, 0};
    std::string found = "end of file";
    if (offending) {
      span.begin = offsets_.byte(offending->getStartIndex());
      span.end = offending->getType() == antlr4::Token::EOF
                     ? span.begin
                     : offsets_.byte(offending->getStopIndex() + 1);
      if (offending->getType() != antlr4::Token::EOF) found = "'" + offending->getText() + "'";
    }
    std::vector<std::string> expected;
    std::vector<std::string> keywords;  // for "did you mean" on a misspelt keyword
    if (parser) {
      for (size_t type : parser->getExpectedTokens().toList()) {
        expected.push_back(describeToken(parser->getVocabulary(), type));
        std::string literal = parser->getVocabulary().getLiteralName(type);
        if (literal.size() > 2) keywords.push_back(literal.substr(1, literal.size() - 2));
      }
    }
    std::string message = "unexpected " + found;
    if (!expected.empty() && expected.size() <= 8) {
      message += ", expected ";
      for (size_t i = 0; i < expected.size(); ++i) {
        if (i) message += i + 1 == expected.size() ? " or " : ", ";
        message += expected[i];
      }
    }
    Diagnostic &d = diags_.error("syntax", span, message);
    std::string text = offending ? offending->getText() : "";
    std::string guess = didYouMean(text, std::vector<std::string_view>(keywords.begin(), keywords.end()));
    if (offending && offending->getType() == ShellPolicyLexer::IDENT && !guess.empty())
      d.withHint(guess);
    else if (text == "/")
      d.withHint("paths are written as strings: \"/usr\"");
    else if (text == ".")
      d.withHint("host names are written as strings: \"api.github.com\"");
    else if (parser && expected.size() > 8)
      d.withHint(contextHint(parser));
    if (diags_.tooManyErrors()) throw AbortParse{};
  }

  size_t count = 0;

private:
  static std::string contextHint(antlr4::Parser *parser) {
    for (auto *ctx = parser->getContext(); ctx; ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent)) {
      switch (ctx->getRuleIndex()) {
      case P::RuleFilesystemBlock: return "a filesystem statement starts with allow, deny, default, compatibility or scratch";
      case P::RuleProcessBlock: return "a process statement starts with run_as, allow_root, capabilities, limit or env";
      case P::RuleSyscallsBlock: return "a syscalls statement starts with allow, deny, kill, log, default or arch";
      case P::RuleNetworkBlock: return "a network statement starts with allow, deny, default or enforcement";
      case P::RuleInferenceBlock: return "an inference statement starts with provider, route or deny";
      case P::RuleTestDecl: return "a test holds `expect OUTCOME REQUEST` lines";
      case P::RuleRequestOnly: return "a request is read, write or exec PATH, connect HOST:PORT, syscall NAME(ARGS) or route \"MODEL\"";
      case P::RulePolicyFile: return "a top-level item is policy, use, param, a block (filesystem, process, syscalls, network, inference), assert or test";
      default: break;
      }
    }
    return "";
  }
  FileId file_;
  const OffsetMap &offsets_;
  DiagnosticEngine &diags_;
};

// Lexes and parses one file; reports lexical and syntax errors.
class ParseSession {
public:
  ParseSession(const SourceManager &sources, FileId file, DiagnosticEngine &diags)
      : file_(file), text_(sources.text(file)), offsets_(text_), diags_(diags) {}

  // Parses the text with the grammar's `entry` rule: policyFile, or requestOnly.
  template <class Context> Context *run(Context *(ShellPolicyParser::*entry)()) {
    size_t bad = firstInvalidUtf8(text_);
    if (bad != std::string_view::npos) {
      diags_.error("invalid-utf8", Span{file_, uint32_t(bad), uint32_t(bad + 1)},
                   "the file is not valid UTF-8")
          .withHint("policies are UTF-8 text; write host names in punycode (xn--…)");
      return nullptr;
    }
    if (text_.find('\0') != std::string_view::npos) {
      uint32_t at = static_cast<uint32_t>(text_.find('\0'));
      diags_.error("invalid-character", Span{file_, at, at + 1}, "the file contains a NUL byte")
          .withHint("is this a binary file?");
      return nullptr;
    }
    if (!linesFit()) return nullptr;
    input_ = std::make_unique<antlr4::ANTLRInputStream>(text_.data(), text_.size());
    lexer_ = std::make_unique<ShellPolicyLexer>(input_.get());
    lexer_->removeErrorListeners();  // the lexer never fails: see UNEXPECTED_CHAR
    tokens_ = std::make_unique<antlr4::CommonTokenStream>(lexer_.get());
    tokens_->fill();
    if (!lexicalErrors()) return nullptr;
    parser_ = std::make_unique<ShellPolicyParser>(tokens_.get());
    parser_->removeErrorListeners();
    errors_ = std::make_unique<SyntaxErrors>(file_, offsets_, diags_);
    parser_->addErrorListener(errors_.get());
    Context *tree = nullptr;
    try {
      tree = (parser_.get()->*entry)();
    } catch (const AbortParse &) {
      return nullptr;
    }
    return errors_->count == 0 ? tree : nullptr;
  }

  Span span(antlr4::Token *start, antlr4::Token *stop) const {
    uint32_t begin = offsets_.byte(start->getStartIndex());
    if (!stop || stop->getType() == antlr4::Token::EOF || stop->getStopIndex() < start->getStartIndex())
      return {file_, begin, begin};
    return {file_, begin, offsets_.byte(stop->getStopIndex() + 1)};
  }
  Span span(antlr4::ParserRuleContext *ctx) const { return span(ctx->getStart(), ctx->getStop()); }
  Span span(antlr4::tree::TerminalNode *node) const {
    return span(node->getSymbol(), node->getSymbol());
  }
  antlr4::CommonTokenStream &tokens() { return *tokens_; }
  FileId file() const { return file_; }
  DiagnosticEngine &diags() { return diags_; }

private:
  // A policy line is short; a huge one is generated garbage or an attack, and lexing it would
  // cost seconds. Refuse it before ANTLR sees it.
  static constexpr size_t kMaxLineBytes = 64 * 1024;
  bool linesFit() {
    size_t start = 0;
    while (start < text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      if (end - start > kMaxLineBytes) {
        diags_.error("line-too-long", Span{file_, uint32_t(start), uint32_t(start + 1)},
                     "line is " + std::to_string(end - start) + " bytes long; the limit is " +
                         std::to_string(kMaxLineBytes))
            .withHint("is this a policy file? break long lists over several lines");
        return false;
      }
      start = end + 1;
    }
    return true;
  }

  bool lexicalErrors() {
    bool ok = true;
    for (antlr4::Token *t : tokens_->getTokens()) {
      if (t->getType() == ShellPolicyLexer::UNTERMINATED_STRING) {
        diags_.error("unterminated-string", span(t, t), "unterminated string")
            .withHint("close it with '\"' on the same line");
        ok = false;
      } else if (t->getType() == ShellPolicyLexer::UNEXPECTED_CHAR) {
        std::string text = t->getText();
        Diagnostic &d = diags_.error("invalid-character", span(t, t),
                                     "unexpected character '" + text + "'");
        if (text == "'") d.withHint("strings use double quotes");
        else if (text == ";") d.withHint("statements end at the end of the line; remove the ';'");
        else if (text == "/" || text == "~") d.withHint("paths are written as strings: \"/usr\", \"~/.ssh\"");
        ok = false;
      }
      if (diags_.tooManyErrors()) break;
    }
    return ok;
  }

  FileId file_;
  std::string_view text_;
  OffsetMap offsets_;
  DiagnosticEngine &diags_;
  std::unique_ptr<antlr4::ANTLRInputStream> input_;
  std::unique_ptr<ShellPolicyLexer> lexer_;
  std::unique_ptr<antlr4::CommonTokenStream> tokens_;
  std::unique_ptr<ShellPolicyParser> parser_;
  std::unique_ptr<SyntaxErrors> errors_;
};

// Turns the parse tree into the syntax tree. Only runs on trees without syntax errors.
class AstBuilder {
public:
  explicit AstBuilder(ParseSession &session) : s_(session) {}

  std::unique_ptr<ast::Module> build(P::PolicyFileContext *tree) {
    auto module = std::make_unique<ast::Module>();
    module->file = s_.file();
    m_ = module.get();
    for (auto *item : tree->topItem()) topItem(item);
    return module;
  }

  std::unique_ptr<ast::Request> build(P::RequestOnlyContext *tree) {
    return std::make_unique<ast::Request>(request(tree->request()));
  }

private:
  ast::Value value(antlr4::tree::TerminalNode *node, ast::Value::Kind kind) {
    ast::Value v{kind, node->getText(), s_.span(node)};
    if (kind == ast::Value::Kind::String) v.text = unescape(v);
    return v;
  }
  ast::Value ident(antlr4::tree::TerminalNode *node) { return value(node, ast::Value::Kind::Ident); }
  ast::Value string(antlr4::tree::TerminalNode *node) { return value(node, ast::Value::Kind::String); }
  ast::Value word(antlr4::ParserRuleContext *ctx) {
    return ast::Value{ast::Value::Kind::Ident, ctx->getText(), s_.span(ctx)};
  }

  std::string unescape(const ast::Value &v) {
    const std::string &raw = v.text;
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] != '\\') { out += raw[i]; continue; }
      char c = raw[++i];
      switch (c) {
      case '"': case '\\': out += c; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      default: {
        uint32_t at = v.span.begin + static_cast<uint32_t>(i) - 1;
        s_.diags().error("invalid-escape", Span{v.span.file, at, at + 2},
                         std::string("unknown escape sequence '\\") + c + "'")
            .withHint("the escapes are \\\" \\\\ \\n \\t");
        out += c;
      }
      }
    }
    return out;
  }

  ast::Value value(P::ValueContext *ctx) {
    using K = ast::Value::Kind;
    if (ctx->STRING()) return string(ctx->STRING());
    if (ctx->INT()) return value(ctx->INT(), K::Int);
    if (ctx->QUANTITY()) return value(ctx->QUANTITY(), K::Quantity);
    if (ctx->ADDR4()) return value(ctx->ADDR4(), K::Addr4);
    return ident(ctx->IDENT());
  }

  std::optional<ast::RuleName> ruleName(P::RuleNameContext *ctx) {
    if (!ctx) return std::nullopt;
    return ast::RuleName{ctx->IDENT()->getText(), s_.span(ctx)};
  }

  ast::PathExpr path(P::PathExprContext *ctx) {
    ast::PathExpr p;
    p.span = s_.span(ctx);
    auto strings = ctx->STRING();
    size_t next = 0;
    if (ctx->IDENT()) {
      p.base = ident(ctx->IDENT());
    } else {
      p.base = string(strings[0]);
      next = 1;
    }
    for (; next < strings.size(); ++next) p.parts.push_back(string(strings[next]));
    return p;
  }

  ast::IntExpr intExpr(P::IntExprContext *ctx) {
    ast::IntExpr e;
    e.span = s_.span(ctx);
    for (auto *atom : ctx->intAtom()) {
      ast::IntAtom a;
      a.negative = atom->getStart()->getText() == "-";
      a.value = atom->INT() ? value(atom->INT(), ast::Value::Kind::Int) : ident(atom->IDENT());
      if (a.negative) a.value.span.begin = s_.span(atom).begin;
      e.atoms.push_back(std::move(a));
    }
    return e;
  }

  ast::Endpoint endpoint(P::EndpointContext *ctx) {
    ast::Endpoint e;
    e.span = s_.span(ctx);
    auto *host = ctx->hostAtom();
    if (host->STRING()) e.host = string(host->STRING());
    else if (host->ADDR4()) e.host = value(host->ADDR4(), ast::Value::Kind::Addr4);
    else e.host = ident(host->IDENT());
    if (auto *ports = ctx->portSpec()) {
      e.hasPorts = true;
      if (ports->portRange().empty()) e.anyPort = true;
      for (auto *range : ports->portRange()) {
        ast::PortRange r;
        r.span = s_.span(range);
        if (range->IDENT()) {
          r.low = ident(range->IDENT());
        } else {
          r.low = value(range->INT(0), ast::Value::Kind::Int);
          if (range->INT().size() > 1) r.high = value(range->INT(1), ast::Value::Kind::Int);
        }
        e.ports.push_back(std::move(r));
      }
    }
    return e;
  }

  ast::NetworkClauses clauses(const std::vector<P::NetworkClauseContext *> &list) {
    ast::NetworkClauses c;
    for (auto *clause : list) {
      c.clauseSpans.push_back(s_.span(clause));
      if (auto *by = dynamic_cast<P::ByBinariesContext *>(clause)) {
        for (auto *v : by->value()) c.binaries.push_back(value(v));
      } else if (auto *methods = dynamic_cast<P::MethodsContext *>(clause)) {
        for (auto *m : methods->IDENT()) c.methods.push_back(ident(m));
      } else if (auto *paths = dynamic_cast<P::PathsContext *>(clause)) {
        for (auto *p : paths->STRING()) c.paths.push_back(string(p));
      } else {
        c.audit = s_.span(clause);
      }
    }
    return c;
  }

  static bool socketPath(P::ConnectRequestContext *ctx) {
    auto *host = ctx->endpoint()->hostAtom();
    if (!host->STRING() || ctx->endpoint()->portSpec() || !ctx->networkClause().empty()) return false;
    std::string text = host->STRING()->getText();
    return text.rfind("\"/", 0) == 0 || text.rfind("\"~", 0) == 0;
  }

  ast::Request request(P::RequestContext *ctx) {
    ast::Request r;
    r.span = s_.span(ctx);
    if (auto *sys = dynamic_cast<P::SyscallRequestContext *>(ctx)) {
      r.kind = ast::Request::Kind::Syscall;
      r.verb = word(sys->syscallName());
      r.hasSyscallArgs = !sys->syscallArg().empty();
      for (auto *arg : sys->syscallArg()) {
        if (arg->intExpr()) r.syscallArgs.push_back(intExpr(arg->intExpr()));
        else r.syscallArgs.push_back(std::nullopt);
      }
    } else if (auto *socket = dynamic_cast<P::SocketRequestContext *>(ctx)) {
      r.kind = ast::Request::Kind::File;
      r.verb = ast::Value{ast::Value::Kind::Ident, "connect", s_.span(socket->getStart(), socket->getStart())};
      r.path = path(socket->pathExpr());
    } else if (auto *conn = dynamic_cast<P::ConnectRequestContext *>(ctx); conn && socketPath(conn)) {
      // `connect "/run/user/1000/bus"`: a string that is a path and no port names a socket
      // file (a host needs a port); the grammar reads it as an endpoint first.
      r.kind = ast::Request::Kind::File;
      r.verb = ast::Value{ast::Value::Kind::Ident, "connect", s_.span(conn->getStart(), conn->getStart())};
      r.path = ast::PathExpr{string(conn->endpoint()->hostAtom()->STRING()), {}, s_.span(conn->endpoint())};
    } else if (auto *conn = dynamic_cast<P::ConnectRequestContext *>(ctx)) {
      r.kind = ast::Request::Kind::Connect;
      r.verb = ast::Value{ast::Value::Kind::Ident, "connect", s_.span(conn->getStart(), conn->getStart())};
      r.endpoint = endpoint(conn->endpoint());
      r.clauses = clauses(conn->networkClause());
    } else if (auto *route = dynamic_cast<P::RouteRequestContext *>(ctx)) {
      r.kind = ast::Request::Kind::Route;
      r.verb = string(route->STRING());
      if (route->IDENT()) r.provider = ident(route->IDENT());
    } else {
      auto *file = static_cast<P::FileRequestContext *>(ctx);
      r.kind = ast::Request::Kind::File;
      r.verb = ident(file->IDENT());
      r.path = path(file->pathExpr());
    }
    return r;
  }

  ast::SyscallAction action(P::SyscallActionContext *ctx) {
    ast::SyscallAction a;
    a.span = s_.span(ctx);
    a.verb = ast::Value{ast::Value::Kind::Ident, ctx->getStart()->getText(),
                        s_.span(ctx->getStart(), ctx->getStart())};
    if (ctx->intExpr()) a.argument = intExpr(ctx->intExpr());
    return a;
  }

  ast::Block &block(ast::Layer layer, antlr4::ParserRuleContext *ctx) {
    m_->blocks.push_back(ast::Block{layer, s_.span(ctx), {}});
    return m_->blocks.back();
  }

  ast::Setting setting(antlr4::ParserRuleContext *ctx, std::vector<antlr4::tree::TerminalNode *> words) {
    ast::Setting s{ctx->getStart()->getText(), {}, s_.span(ctx)};
    for (auto *w : words) s.values.push_back(ident(w));
    return s;
  }

  void filesystem(P::FilesystemBlockContext *ctx) {
    ast::Block &b = block(ast::Layer::Filesystem, ctx);
    for (auto *stmt : ctx->fsStmt()) {
      if (auto *d = dynamic_cast<P::FsDefaultContext *>(stmt)) {
        ast::Setting s{"default", {word(d->decision())}, s_.span(d)};
        b.settings.push_back(std::move(s));
      } else if (auto *c = dynamic_cast<P::FsCompatibilityContext *>(stmt)) {
        b.settings.push_back(setting(c, {c->IDENT()}));
      } else if (auto *scratch = dynamic_cast<P::FsScratchContext *>(stmt)) {
        ast::FsScratch s{{}, s_.span(scratch)};
        for (auto *p : scratch->pathList()->pathExpr()) s.paths.push_back(path(p));
        m_->fsScratch.push_back(std::move(s));
      } else {
        auto *r = static_cast<P::FsRuleContext *>(stmt);
        ast::FsRule rule;
        rule.name = ruleName(r->ruleName());
        rule.decision = word(r->decision());
        for (auto *right : r->accessList()->accessWord()) rule.rights.push_back(word(right));
        for (auto *p : r->pathList()->pathExpr()) rule.paths.push_back(path(p));
        rule.span = s_.span(r);
        m_->fsRules.push_back(std::move(rule));
      }
    }
  }

  void process(P::ProcessBlockContext *ctx) {
    block(ast::Layer::Process, ctx);
    for (auto *stmt : ctx->processStmt()) {
      ast::ProcessStmt p;
      p.span = s_.span(stmt);
      if (auto *run = dynamic_cast<P::RunAsContext *>(stmt)) {
        p.kind = "run_as";
        for (auto *id : run->idValue())
          p.values.push_back(id->INT() ? value(id->INT(), ast::Value::Kind::Int) : ident(id->IDENT()));
      } else if (dynamic_cast<P::AllowRootContext *>(stmt)) {
        p.kind = "allow_root";
      } else if (auto *caps = dynamic_cast<P::CapabilitiesContext *>(stmt)) {
        p.kind = "capabilities";
        for (auto *c : caps->IDENT()) p.values.push_back(ident(c));
      } else if (auto *limit = dynamic_cast<P::LimitContext *>(stmt)) {
        p.kind = "limit";
        p.values = {ident(limit->IDENT()), value(limit->value())};
      } else if (auto *pass = dynamic_cast<P::EnvPassContext *>(stmt)) {
        p.kind = "env_pass";
        for (auto *v : pass->value()) p.values.push_back(value(v));
      } else {
        auto *set = static_cast<P::EnvSetContext *>(stmt);
        p.kind = "env_set";
        p.values = {string(set->STRING()), value(set->value())};
      }
      m_->processStmts.push_back(std::move(p));
    }
  }

  void syscalls(P::SyscallsBlockContext *ctx) {
    ast::Block &b = block(ast::Layer::Syscalls, ctx);
    for (auto *stmt : ctx->syscallStmt()) {
      if (auto *d = dynamic_cast<P::SyscallDefaultContext *>(stmt)) {
        m_->syscallDefaults.push_back(action(d->syscallAction()));
      } else if (auto *a = dynamic_cast<P::SyscallArchContext *>(stmt)) {
        b.settings.push_back(setting(a, a->IDENT()));
      } else {
        auto *r = static_cast<P::SyscallRuleContext *>(stmt);
        ast::SyscallRule rule;
        rule.name = ruleName(r->ruleName());
        rule.verb = word(r->syscallVerb());
        rule.span = s_.span(r);
        for (auto *spec : r->syscallSpec()) {
          ast::SyscallSpec sp;
          sp.name = word(spec->syscallName());
          sp.span = s_.span(spec);
          for (auto *cond : spec->argCondition()) sp.conditions.push_back(condition(cond));
          rule.syscalls.push_back(std::move(sp));
        }
        if (r->syscallAction()) rule.action = action(r->syscallAction());
        m_->syscallRules.push_back(std::move(rule));
      }
    }
  }

  ast::ArgCondition condition(P::ArgConditionContext *ctx) {
    ast::ArgCondition c;
    c.span = s_.span(ctx);
    if (auto *cmp = dynamic_cast<P::ArgCompareContext *>(ctx)) {
      c.arg = ident(cmp->IDENT());
      if (cmp->mask) c.mask = intExpr(cmp->mask);
      c.op = cmp->compareOp()->getText();
      c.values.push_back(intExpr(cmp->intExpr().back()));
    } else {
      auto *in = static_cast<P::ArgInContext *>(ctx);
      c.arg = ident(in->IDENT());
      bool negated = false;
      for (auto *child : in->children)
        if (child->getText() == "not") negated = true;
      c.op = negated ? "notin" : "in";
      for (auto *v : in->intExpr()) c.values.push_back(intExpr(v));
    }
    return c;
  }

  void network(P::NetworkBlockContext *ctx) {
    ast::Block &b = block(ast::Layer::Network, ctx);
    for (auto *stmt : ctx->networkStmt()) {
      if (auto *d = dynamic_cast<P::NetworkDefaultContext *>(stmt)) {
        b.settings.push_back(ast::Setting{"default", {word(d->decision())}, s_.span(d)});
      } else if (auto *e = dynamic_cast<P::NetworkEnforcementContext *>(stmt)) {
        antlr4::Token *mode = e->getStop();
        b.settings.push_back(ast::Setting{"enforcement",
                                          {ast::Value{ast::Value::Kind::Ident, mode->getText(), s_.span(mode, mode)}},
                                          s_.span(e)});
      } else {
        auto *r = static_cast<P::NetworkRuleContext *>(stmt);
        ast::NetworkRule rule;
        rule.name = ruleName(r->ruleName());
        rule.decision = word(r->decision());
        if (r->protocol) {
          rule.protocol = ast::Value{ast::Value::Kind::Ident, r->protocol->getText(),
                                     s_.span(r->protocol, r->protocol)};
        }
        for (auto *e : r->endpoint()) rule.endpoints.push_back(endpoint(e));
        rule.clauses = clauses(r->networkClause());
        rule.span = s_.span(r);
        m_->networkRules.push_back(std::move(rule));
      }
    }
  }

  ast::Budget budget(P::BudgetContext *b, std::optional<ast::Value> provider) {
    ast::Value measure{ast::Value::Kind::Ident, b->measure->getText(), s_.span(b->measure, b->measure)};
    return ast::Budget{ruleName(b->ruleName()), measure, value(b->value()), std::move(provider), s_.span(b)};
  }

  void inference(P::InferenceBlockContext *ctx) {
    block(ast::Layer::Inference, ctx);
    for (auto *stmt : ctx->inferenceStmt()) {
      if (auto *p = dynamic_cast<P::ProviderContext *>(stmt)) {
        ast::Provider provider;
        provider.name = ident(p->IDENT());
        provider.span = s_.span(p);
        for (auto *prop : p->providerProperty()) {
          if (auto *b = prop->budget()) {
            m_->budgets.push_back(budget(b, provider.name));
            continue;
          }
          antlr4::Token *first = prop->getStart();
          ast::ProviderProperty property{
              ast::Value{ast::Value::Kind::Ident, first->getText(), s_.span(first, first)}, {}, s_.span(prop)};
          if (prop->source) {
            property.values.push_back(ast::Value{ast::Value::Kind::Ident, prop->source->getText(),
                                                 s_.span(prop->source, prop->source)});
          }
          property.values.push_back(value(prop->value()));
          if (prop->keyOptional)
            property.values.push_back(ast::Value{ast::Value::Kind::Ident, "optional", s_.span(prop->keyOptional, prop->keyOptional)});
          provider.properties.push_back(std::move(property));
        }
        m_->providers.push_back(std::move(provider));
      } else if (auto *r = dynamic_cast<P::RouteContext *>(stmt)) {
        ast::Route route;
        route.name = ruleName(r->ruleName());
        auto strings = r->STRING();
        bool hasRewrite = false;
        for (auto *child : r->children)
          if (child->getText() == "rewrite") hasRewrite = true;
        size_t modelCount = hasRewrite ? strings.size() - 1 : strings.size();
        for (size_t i = 0; i < modelCount; ++i) route.models.push_back(string(strings[i]));
        if (hasRewrite) route.rewrite = string(strings.back());
        route.provider = ident(r->IDENT());
        route.span = s_.span(r);
        m_->routes.push_back(std::move(route));
      } else if (auto *b = dynamic_cast<P::SessionBudgetContext *>(stmt)) {
        m_->budgets.push_back(budget(b->budget(), std::nullopt));
      } else {
        auto *d = static_cast<P::DenyModelsContext *>(stmt);
        ast::ModelDeny deny;
        deny.name = ruleName(d->ruleName());
        for (auto *m : d->STRING()) deny.models.push_back(string(m));
        deny.span = s_.span(d);
        m_->modelDenies.push_back(std::move(deny));
      }
    }
  }

  void topItem(P::TopItemContext *item) {
    if (auto *p = item->policyDecl()) {
      if (m_->policyName) {
        s_.diags().error("duplicate-statement", s_.span(p), "a file names its policy once")
            .withNote(m_->policyName->span, "named here");
        return;
      }
      m_->policyName = word(p->dottedName());
    } else if (auto *u = item->useDecl()) {
      ast::Use use;
      use.span = s_.span(u);
      if (u->STRING()) {
        use.isPath = true;
        use.target = string(u->STRING()).text;
      } else {
        use.target = u->dottedName()->getText();
      }
      m_->uses.push_back(std::move(use));
    } else if (auto *p = item->paramDecl()) {
      ast::Param param;
      param.name = ast::Value{ast::Value::Kind::Ident, p->name->getText(), s_.span(p->name, p->name)};
      param.type = ast::Value{ast::Value::Kind::Ident, p->type->getText(), s_.span(p->type, p->type)};
      if (p->value()) param.defaultValue = value(p->value());
      param.span = s_.span(p);
      m_->params.push_back(std::move(param));
    } else if (auto *b = item->filesystemBlock()) {
      filesystem(b);
    } else if (auto *b = item->processBlock()) {
      process(b);
    } else if (auto *b = item->syscallsBlock()) {
      syscalls(b);
    } else if (auto *b = item->networkBlock()) {
      network(b);
    } else if (auto *b = item->inferenceBlock()) {
      inference(b);
    } else if (auto *a = item->assertDecl()) {
      ast::Assert as;
      as.name = ruleName(a->ruleName());
      as.quantifier = ast::Value{ast::Value::Kind::Ident, a->quantifier->getText(),
                                 s_.span(a->quantifier, a->quantifier)};
      as.request = request(a->request());
      as.span = s_.span(a);
      m_->asserts.push_back(std::move(as));
    } else if (auto *t = item->testDecl()) {
      ast::Test test;
      test.name = string(t->STRING());
      test.span = s_.span(t);
      for (auto *e : t->expectStmt()) {
        ast::Expectation ex;
        ex.span = s_.span(e);
        if (auto *o = e->outcome()) {
          ast::Outcome outcome;
          outcome.verb = ast::Value{ast::Value::Kind::Ident, o->getStart()->getText(),
                                    s_.span(o->getStart(), o->getStart())};
          if (o->intExpr()) outcome.argument = intExpr(o->intExpr());
          outcome.span = s_.span(o);
          ex.outcome = std::move(outcome);
        }
        ex.request = request(e->request());
        test.expectations.push_back(std::move(ex));
      }
      m_->tests.push_back(std::move(test));
    }
  }

  ParseSession &s_;
  ast::Module *m_ = nullptr;
};

}  // namespace

namespace {
// Parses with one entry rule and builds its syntax tree; nothing when anything was reported.
template <class Node, class Context>
std::unique_ptr<Node> parseWith(const SourceManager &sources, FileId file, DiagnosticEngine &diags,
                                Context *(P::*entry)()) {
  ParseSession session(sources, file, diags);
  Context *tree = session.run(entry);
  if (!tree) return nullptr;
  size_t before = diags.errorCount();
  std::unique_ptr<Node> node = AstBuilder(session).build(tree);
  return diags.errorCount() == before ? std::move(node) : nullptr;
}
}  // namespace

std::unique_ptr<ast::Module> parseModule(const SourceManager &sources, FileId file,
                                         DiagnosticEngine &diags) {
  return parseWith<ast::Module>(sources, file, diags, &P::policyFile);
}

std::unique_ptr<ast::Request> parseRequest(const SourceManager &sources, FileId file,
                                           DiagnosticEngine &diags) {
  return parseWith<ast::Request>(sources, file, diags, &P::requestOnly);
}

bool lexForFormat(const SourceManager &sources, FileId file, DiagnosticEngine &diags,
                  FormatInput &out) {
  ParseSession session(sources, file, diags);
  P::PolicyFileContext *tree = session.run(&P::policyFile);
  if (!tree) return false;
  std::unordered_map<size_t, size_t> indexOfToken;  // ANTLR token index -> out.tokens index
  for (antlr4::Token *t : session.tokens().getTokens()) {
    if (t->getType() == antlr4::Token::EOF) break;
    LexToken::Kind kind = LexToken::Kind::Punct;
    switch (t->getType()) {
    case ShellPolicyLexer::COMMENT: kind = LexToken::Kind::Comment; break;
    case ShellPolicyLexer::STRING: kind = LexToken::Kind::String; break;
    case ShellPolicyLexer::INT: case ShellPolicyLexer::QUANTITY: case ShellPolicyLexer::ADDR4:
      kind = LexToken::Kind::Number; break;
    default:
      if (std::isalpha(static_cast<unsigned char>(t->getText()[0])) || t->getText()[0] == '_')
        kind = LexToken::Kind::Word;
    }
    Span sp = session.span(t, t);
    indexOfToken[t->getTokenIndex()] = out.tokens.size();
    out.tokens.push_back(LexToken{kind, sources.text(file).substr(sp.begin, sp.end - sp.begin),
                                  sp.begin, static_cast<uint32_t>(t->getLine())});
  }
  auto mark = [&](antlr4::ParserRuleContext *ctx, unsigned depth, bool top) {
    out.statements.push_back({indexOfToken.at(ctx->getStart()->getTokenIndex()), depth, top});
  };
  for (auto *item : tree->topItem()) {
    mark(item, 0, true);
    std::vector<antlr4::ParserRuleContext *> inner;
    auto collect = [&](auto list) { for (auto *s : list) inner.push_back(s); };
    if (auto *b = item->filesystemBlock()) collect(b->fsStmt());
    if (auto *b = item->processBlock()) collect(b->processStmt());
    if (auto *b = item->syscallsBlock()) collect(b->syscallStmt());
    if (auto *b = item->networkBlock()) collect(b->networkStmt());
    if (auto *t = item->testDecl()) collect(t->expectStmt());
    if (auto *b = item->inferenceBlock()) {
      for (auto *s : b->inferenceStmt()) {
        mark(s, 1, false);
        if (auto *p = dynamic_cast<P::ProviderContext *>(s))
          for (auto *prop : p->providerProperty()) mark(prop, 2, false);
      }
    }
    for (auto *s : inner) mark(s, 1, false);
  }
  std::sort(out.statements.begin(), out.statements.end(),
            [](const StatementStart &a, const StatementStart &b) { return a.token < b.token; });
  return true;
}

bool isKeyword(std::string_view word) {
  antlr4::ANTLRInputStream input{std::string(word)};
  ShellPolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  std::unique_ptr<antlr4::Token> token = lexer.nextToken();
  return token->getType() != ShellPolicyLexer::IDENT && token->getText() == word;
}

}  // namespace shellc
