// The inference router's decisions and readers (docs/inference.md): which route a model
// takes, as compiler/ir's evaluateRoute decides it (deny globs first, then the most specific
// route; a unit test compares the two on random policies and names), and the `model` a
// request's JSON body names, found without reading the rest into memory twice.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bundle/bundle.h"

namespace shellrt::router {

// A model glob (docs/language.md §11): `*` any run of characters, `?` one.
bool matchModel(std::string_view glob, std::string_view model);

struct Choice {
  const Routes::Route *route = nullptr;      // null: refused
  const Routes::Route *denied = nullptr;     // the first deny whose glob matches
  std::vector<const Routes::Route *> deciding;  // the most specific matching routes (one target)
};
Choice choose(const Routes &routes, std::string_view model);

// What a session has spent through the router, per provider, and the budget that refuses
// one more call to a provider (nullptr: none), as compiler/ir's exhaustedBudget decides it
// (docs/language.md §11; a unit test compares the two on random budgets and spending): the
// provider's own budgets before the session's, tokens before requests.
struct Spent {
  uint64_t tokens = 0, requests = 0;
};
using Spending = std::map<std::string, Spent>;
uint64_t spentOn(const Spending &spending, const Routes::Budget &budget);
const Routes::Budget *exhaustedBudget(const Routes &routes, const std::string &provider, const Spending &spending);

// The members of one JSON object, each with where its value lies in the body; nullopt and why
// when the body is not one JSON object.
struct Member {
  std::string key;
  size_t begin = 0, end = 0;
};
std::optional<std::vector<Member>> membersOf(std::string_view body, std::string &error);

// An OpenAI streamed completion says what it used only when asked (`stream_options`); where a
// token budget counts the call, the router asks, whatever the caller set.
std::string withUsageReported(std::string_view body, const std::vector<Member> &members);

// The top-level "model" member of a JSON object: its value, and where its string token
// (quotes included) lies in the body, to put another in its place.
struct ModelField {
  std::string value;
  size_t begin = 0, end = 0;
};
// nullopt and why when the body is not one JSON object or names no model as a string.
std::optional<ModelField> modelOf(std::string_view body, std::string &error);
std::string withModel(std::string_view body, const ModelField &field, const std::string &model);

// The tokens a call used, as the provider's answer says (`usage`), read from the bytes as
// they pass to the client, in pieces: OpenAI's prompt_tokens/completion_tokens or
// input_tokens/output_tokens, Anthropic's input_tokens/output_tokens (a stream's last count
// stands). Anthropic's cache writes and reads, which its input_tokens leaves out, count as
// input. -1: the answer did not say.
class Usage {
public:
  void feed(std::string_view bytes);
  int64_t input() const;
  int64_t output() const { return counts_[kOutput]; }

private:
  enum { kInput, kOutput, kCacheWrite, kCacheRead, kCounts };
  void scan(std::string_view text);
  std::string tail_;  // the end of what came before: a key split between two pieces is found
  int64_t counts_[kCounts] = {-1, -1, -1, -1};
};

}  // namespace shellrt::router
