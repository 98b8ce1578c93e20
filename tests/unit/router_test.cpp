// The inference router's readers and decision (runtime/router/route.h): its routes against
// the compiler's (ir::evaluateRoute) on random policies and model names, through the bundle
// the compiler writes; its budgets against ir::exhaustedBudget the same way; its model globs
// against the compiler's; the `model` of request bodies.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "bundle/bundle.h"
#include "ir/evaluate.h"
#include "ir/glob.h"
#include "router/route.h"
#include "test_support.h"

namespace {

using namespace shellrt::router;

TEST(Router, ModelGlobsMatchAsTheCompilersDo) {
  std::mt19937 rng(21);
  const std::string globAlphabet = "ab-*?.", textAlphabet = "ab-.";
  for (int i = 0; i < 20000; ++i) {
    std::string glob, text;
    for (size_t n = 1 + rng() % 7; n > 0; --n) glob += globAlphabet[rng() % globAlphabet.size()];
    for (size_t n = rng() % 8; n > 0; --n) text += textAlphabet[rng() % textAlphabet.size()];
    ASSERT_EQ(matchModel(glob, text), shellc::ir::matchModelGlob(glob, text)) << glob << " " << text;
  }
}

TEST(Router, RoutesAsTheCompilerDoes) {
  static const std::vector<std::string> globs = {"\"gpt-*\"", "\"gpt-4o*\"", "\"gpt-4o-mini\"", "\"claude-*\"", "\"o?\"",
                                                 "\"*\"", "\"claude-3-*\"", "\"*-mini\""};
  static const std::vector<std::string> models = {"gpt-4o", "gpt-4o-mini", "gpt-3.5", "claude-3-opus", "claude-sonnet-4",
                                                  "o1", "o3", "llama-3", "x-mini", ""};
  std::mt19937 rng(22);
  int compared = 0;
  for (int round = 0; round < 80; ++round) {
    std::string text = "policy random\ninference {\n  provider a {\n    endpoint \"http://127.0.0.1:8000/v1\"\n    api openai\n  }\n"
                       "  provider b {\n    endpoint \"https://api.example.com/v1\"\n    api openai\n    key env \"B_KEY\"\n  }\n";
    for (int i = 0; i < 4; ++i) {
      std::string glob = globs[rng() % globs.size()];
      if (rng() % 4 == 0) text += "  deny " + glob + "\n";
      else text += "  route " + glob + " => " + (rng() % 2 ? "a" : "b") + (rng() % 3 == 0 ? " rewrite \"m\"" : "") + "\n";
    }
    auto checked = shellc::testing::checkText(text + "}\n");
    if (!checked->output.ok) continue;  // equally specific overlapping routes to different targets
    ++compared;
    shellrt::Bundle bundle;
    std::string error;
    ASSERT_TRUE(shellrt::parseBundle(shellc::testing::bundleJson(*checked), bundle, error)) << error;
    for (const std::string &model : models) {
      shellc::ir::RouteDecision expected = shellc::ir::evaluateRoute(checked->output.policy.inference, model);
      Choice got = choose(bundle.routes, model);
      std::string what = text + "model " + model;
      ASSERT_EQ(got.route != nullptr, expected.route != nullptr) << what;
      ASSERT_EQ(got.denied != nullptr, !expected.denies.empty()) << what;
      if (!got.route) continue;
      EXPECT_EQ(got.route->provider, expected.route->provider) << what;
      EXPECT_EQ(got.route->rewrite, expected.route->rewrite) << what;
      EXPECT_EQ(got.route->rule.line, expected.route->id.line) << what;
    }
  }
  EXPECT_GT(compared, 20);
}

TEST(Router, BudgetsAsTheCompilerDecides) {
  static const std::vector<std::string> scopes = {"", "a", "b"};
  std::mt19937 rng(23);
  int refusals = 0;
  for (int round = 0; round < 60; ++round) {
    std::map<std::string, std::string> inside;  // the budget lines of each scope
    for (const std::string &scope : scopes)
      for (const char *measure : {"tokens", "requests"})
        if (rng() % 2) inside[scope] += "    limit " + std::string(measure) + " " + std::to_string(rng() % 40) + "\n";
    std::string text = "policy random\ninference {\n  provider a {\n    endpoint \"http://127.0.0.1:8000/v1\"\n    api openai\n" +
                       inside["a"] + "  }\n  provider b {\n    endpoint \"http://127.0.0.1:8001/v1\"\n    api anthropic\n" + inside["b"] +
                       "  }\n  route \"gpt-*\" => a\n  route \"claude-*\" => b\n" + inside[""] + "}\n";
    auto checked = shellc::testing::checkText(text);
    ASSERT_TRUE(checked->output.ok) << text;
    shellrt::Bundle bundle;
    std::string error;
    ASSERT_TRUE(shellrt::parseBundle(shellc::testing::bundleJson(*checked), bundle, error)) << error;
    for (int trial = 0; trial < 50; ++trial) {
      Spending spending;
      shellc::ir::Spending expectedSpending;
      for (const char *p : {"a", "b"}) {
        uint64_t tokens = rng() % 50, requests = rng() % 50;
        spending[p] = {tokens, requests};
        expectedSpending[p] = {tokens, requests};
      }
      for (const char *p : {"a", "b"}) {
        const shellc::ir::Budget *expected = shellc::ir::exhaustedBudget(checked->output.policy.inference, p, expectedSpending);
        const shellrt::Routes::Budget *got = exhaustedBudget(bundle.routes, p, spending);
        std::string what = text + "provider " + p;
        ASSERT_EQ(got != nullptr, expected != nullptr) << what;
        if (!got) continue;
        ++refusals;
        EXPECT_EQ(got->rule.line, expected->id.line) << what;
        EXPECT_EQ(spentOn(spending, *got), shellc::ir::spentOn(expectedSpending, *expected)) << what;
      }
    }
  }
  EXPECT_GT(refusals, 500);
}

TEST(Router, AStreamedCompletionIsAskedForItsUsage) {
  auto asked = [](const std::string &body) {
    std::string error;
    std::optional<std::vector<Member>> members = membersOf(body, error);
    return members ? withUsageReported(body, *members) : "refused: " + error;
  };
  EXPECT_EQ(asked(R"({"model":"m","stream":true})"), R"({"stream_options":{"include_usage":true},"model":"m","stream":true})");
  EXPECT_EQ(asked(R"({"model":"m","stream":true,"stream_options":{"include_usage":false},"n":1})"),
            R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"n":1})");
  EXPECT_EQ(asked(R"({"model":"m","stream":false})"), R"({"model":"m","stream":false})");
  EXPECT_EQ(asked(R"({"model":"m"})"), R"({"model":"m"})");
  EXPECT_EQ(asked(R"({"model":"m","stream_options":null,"stream":true,"stream_options":1})"),
            R"({"model":"m","stream_options":{"include_usage":true},"stream":true,"stream_options":{"include_usage":true}})");
}

std::string model(const std::string &body) {
  std::string error;
  std::optional<ModelField> m = modelOf(body, error);
  return m ? m->value : "refused: " + error;
}

TEST(Router, TheModelIsReadFromTheBody) {
  EXPECT_EQ(model(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi \"there\""}],"temperature":0.7})"), "gpt-4o");
  EXPECT_EQ(model(R"( { "messages": [], "stream": true, "model" : "claude-3" } )"), "claude-3");
  EXPECT_EQ(model(R"({"metadata":{"model":"inner"},"model":"outer"})"), "outer");  // only the top level counts
  EXPECT_EQ(model(R"({"messages":[]})"), "refused: the request names no model (a \"model\" string)");
  EXPECT_EQ(model(R"({"model":"a","model":"b"})"), "refused: the request names its model twice");
  EXPECT_EQ(model(R"({"model":"a"} {"model":"b"})"), "refused: the request's body has more than one JSON value");
  EXPECT_EQ(model(R"({"model":"a",})"), "refused: the request's body is not valid JSON");
  EXPECT_EQ(model(R"([{"model":"a"}])"), "refused: the request's body is not a JSON object");
  EXPECT_EQ(model(R"({"model":42})"), "refused: the request names no model (a \"model\" string)");
  // The provider decodes escapes: a second "model" it would read, or a denied model spelled
  // another way, would pass the router unseen.
  EXPECT_EQ(model(R"({"model":"gpt-4o","mod\u0065l":"o1-pro"})"),
            "refused: a member's name in the request's body is written with a \\u escape; write it plainly");
  EXPECT_EQ(model(R"({"model":"\u006f1-pro"})"), "refused: the request's model is written with a \\u escape; write it plainly");
  EXPECT_EQ(model(R"({"model":"gpt\/4o"})"), "gpt/4o");
  std::string body = R"({"stream":true,"model":"fast","max_tokens":5})", error;
  std::optional<ModelField> m = modelOf(body, error);
  ASSERT_TRUE(m);
  EXPECT_EQ(withModel(body, *m, "gpt-4o-mini"), R"({"stream":true,"model":"gpt-4o-mini","max_tokens":5})");
}

TEST(Router, TokensAreCountedFromTheAnswerAsItPasses) {
  Usage openai;
  openai.feed(R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3)");
  openai.feed(R"(4,"prompt_tokens_details":{"cached_tokens":9}}})");
  EXPECT_EQ(openai.input(), 12);
  EXPECT_EQ(openai.output(), 34);  // a number split between two pieces
  Usage anthropic;  // a stream: message_start, then message_delta's final count
  for (const char *piece : {"event: message_start\ndata: {\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1,",
                            "\"cache_creation_input_tokens\":7}}}\n\n", "event: message_delta\ndata: {\"usage\":{\"output_tok",
                            "ens\": 15}}\n\n"})
    anthropic.feed(piece);
  EXPECT_EQ(anthropic.input(), 25 + 7);  // cache writes (and reads) are input the provider bills
  EXPECT_EQ(anthropic.output(), 15);
  Usage quoted;  // the model's own text, escaped in its JSON string, is not a count
  quoted.feed(R"({"content":"say \"output_tokens\": 99"})");
  EXPECT_EQ(quoted.output(), -1);
}

}  // namespace
