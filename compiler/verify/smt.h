// The Z3 encoding of each layer's decision function (ir/evaluate.h), over one request space
// shared by every policy it is built for, so that two policies (diff, --within) can be
// compared request by request. docs/language.md, "What the verifier proves", says what each
// encoding covers exactly and where it restricts itself to the literals a policy mentions.
#pragma once
#include <z3++.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/evaluate.h"
#include "ir/policy.h"

namespace shellc::verify::smt {

// Where a statement's requests lie along one axis of its layer's space (the filesystem node,
// the call number, the host name, the model name): statements whose footprints do not meet
// match no request in common, so a question about one rule can leave the others out and
// stay small. Sorted, disjoint, half-open ranges.
class Footprint {
public:
  static Footprint anywhere() { return Footprint({{0, UINT64_MAX}}); }
  static Footprint range(uint64_t begin, uint64_t end) { return Footprint({{begin, end}}); }
  Footprint() = default;
  // Sorts once: adding a large statement's rules one by one would sort its ranges each time.
  static Footprint unionOf(const std::vector<Footprint> &parts);
  void add(const Footprint &other) { *this = unionOf({*this, other}); }
  bool meets(const Footprint &other) const;
  bool isAnywhere() const { return ranges_ == anywhere().ranges_; }
  // Nothing on this layer's axis: a call the layer's architecture does not have.
  bool isEmpty() const { return ranges_.empty(); }

private:
  explicit Footprint(std::vector<std::pair<uint64_t, uint64_t>> ranges) : ranges_(std::move(ranges)) {}
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;
};

// One rule statement: the rules that the checker split one statement into (several paths,
// an `in` list) share its identity, and are left out or kept together.
struct Statement {
  const ir::RuleId *id = nullptr;
  z3::expr matches;
  bool grants = false;  // an allow (or log, or route): what can be dead under the denies
  Footprint footprint;
};

// What ir::evaluate decides about the concrete request a model stands for.
struct Recheck {
  bool permits = false;  // allowed, or possibly allowed (`notify`)
  bool refuses = false;  // refused, or possibly refused (`notify`)
  std::string decision;  // "allow", "deny", "errno(EPERM)", "route => openai"
  std::vector<const ir::RuleId *> deciding;
};

// One layer over one request space. Every term is over the space's variables.
class Layer {
public:
  explicit Layer(z3::context &ctx) : ctx_(ctx) {}
  virtual ~Layer() = default;
  virtual std::string name() const = 0;  // "filesystem", "syscalls (x86_64)"...
  // What every request of the space satisfies.
  virtual z3::expr domain() const = 0;
  virtual std::vector<Statement> statements(const ir::Policy &policy) const = 0;
  // Whether what `grant` matches may be refused by something other than a statement (the
  // network's reserved ranges): then the grant may be dead though no statement meets it.
  virtual bool refusableBeyondStatements(const Statement &) const { return false; }
  // The decision as a term: equal terms, equal decisions. The statement whose index equals
  // `skip` (an Int) is left out, so one term serves every "without this rule" query.
  virtual z3::expr decision(const ir::Policy &policy, const z3::expr &skip) const = 0;
  virtual z3::expr permits(const ir::Policy &policy, const ir::Request *pattern = nullptr) const = 0;
  virtual z3::expr refuses(const ir::Policy &policy, const ir::Request *pattern = nullptr) const = 0;
  // Whether an assert's request is one of this layer's, and the requests it describes.
  virtual bool describes(const ir::Request &pattern) const = 0;
  virtual z3::expr pattern(const ir::Request &pattern) const = 0;
  // The concrete request a model stands for, in the request syntax, and evaluate's decision.
  virtual std::string text(const z3::model &model) const = 0;
  // `pattern`: the assert whose request it is (a route assert may name the provider).
  virtual Recheck recheck(const z3::model &model, const ir::Policy &policy,
                          const ir::Request *pattern = nullptr) const = 0;

protected:
  z3::context &ctx_;
};

// A layer whose decision term is itself whether the request is allowed (filesystem,
// network): nothing is decided at run time, so it permits exactly what it does not refuse.
class AllowOrDenyLayer : public Layer {
public:
  using Layer::Layer;
  z3::expr permits(const ir::Policy &policy, const ir::Request * = nullptr) const override {
    return decision(policy, ctx_.int_val(-1));
  }
  z3::expr refuses(const ir::Policy &policy, const ir::Request *pattern = nullptr) const override {
    return !permits(policy, pattern);
  }
};

// The one Z3 context of the process, never destroyed: deleting a context costs tens of
// milliseconds (a third of `shellc check`), which a short-lived process need not pay.
z3::context &processContext();

// Every layer of `policies` (one per architecture for syscalls), over spaces that hold the
// literals of all of them.
std::vector<std::unique_ptr<Layer>> encodeLayers(z3::context &ctx, const std::vector<const ir::Policy *> &policies);

// ---------------------------------------------------------------- per layer, for tests too
std::unique_ptr<Layer> filesystemLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies);
std::unique_ptr<Layer> syscallLayer(z3::context &ctx, ir::Arch arch);
std::unique_ptr<Layer> networkLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies);
std::unique_ptr<Layer> inferenceLayer(z3::context &ctx, const std::vector<const ir::Policy *> &policies);

// A concrete request as constants of a layer's space, for the cross-check: the term holds
// exactly for the space's point that stands for the request. Empty optional: the request
// lies outside the classes the space separates (see docs: L7 globs, binaries).
std::optional<z3::expr> fileRequest(const Layer &layer, const ir::Path &path, ir::Access right);
// A syscalls layer's decision term is this rank of the action: greater is stricter.
int actionRank(const ir::SyscallAction &action);
z3::expr syscallRequest(const Layer &layer, int number, const ir::SyscallArgs &args);
std::optional<z3::expr> networkRequest(const Layer &layer, const ir::NetworkRequest &request);
// The host a provider's endpoint connects to, as a pattern of exactly it: the network space
// holds it, so that questions about the providers' hosts are exact.
std::optional<ir::HostPattern> providerHost(const ir::Provider &provider);
std::optional<z3::expr> modelRequest(const Layer &layer, const std::string &model);

// Helpers shared by the encodings.
z3::expr anyOf(z3::context &ctx, const std::vector<z3::expr> &terms);
// The index of the statement each rule belongs to: one statement's rules are adjacent.
template <class Rule>
std::vector<int> statementOf(const std::vector<Rule> &rules) {
  std::vector<int> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    bool same = i > 0 && rules[i].id.span.file == rules[i - 1].id.span.file &&
                rules[i].id.span.begin == rules[i - 1].id.span.begin;
    out.push_back(out.empty() ? 0 : out.back() + (same ? 0 : 1));
  }
  return out;
}
// Statements from rules and a term of when each rule matches. A statement's terms are
// joined by one flat `or`: a chain of binary ones costs Z3 the square of its length (a
// `deny` of 10,000 calls took a minute).
template <class Rule, class Matches, class Grants, class Where>
std::vector<Statement> groupStatements(const std::vector<Rule> &rules, Matches matches, Grants grants, Where where) {
  std::vector<Statement> out;
  std::vector<int> index = statementOf(rules);
  for (size_t first = 0, end = 0; first < rules.size(); first = end) {
    std::vector<z3::expr> terms;
    std::vector<Footprint> places;
    for (end = first; end < rules.size() && index[end] == index[first]; ++end) {
      terms.push_back(matches(rules[end]));
      places.push_back(where(rules[end]));
    }
    z3::expr any = terms.size() == 1 ? terms.front() : anyOf(terms.front().ctx(), terms);
    out.push_back({&rules[first].id, any, grants(rules[first]), Footprint::unionOf(places)});
  }
  return out;
}
// A choice among `count` representatives: a bit-vector, because Z3 decides equalities of
// a bit-vector to constants by propagation where an integer needs case splits (measured:
// 250 routes, 13 s as integers).
z3::expr choiceVar(z3::context &ctx, const char *name, size_t count);
z3::expr inRange(const z3::expr &choice, size_t count);
size_t chosen(const z3::model &model, const z3::expr &choice);
template <class Pred>
std::vector<size_t> indicesWhere(size_t count, Pred pred) {
  std::vector<size_t> out;
  for (size_t i = 0; i < count; ++i)
    if (pred(i)) out.push_back(i);
  return out;
}
// That `choice` is one of `indices`, and where that lies as a footprint.
z3::expr oneOf(const z3::expr &choice, const std::vector<size_t> &indices);
Footprint footprintOf(const std::vector<size_t> &indices);

// A fresh label or name part that no literal in `used` contains.
std::string freshWord(const std::vector<std::string> &used);

}  // namespace shellc::verify::smt
