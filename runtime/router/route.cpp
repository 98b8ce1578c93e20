#include "router/route.h"

#include <algorithm>

#include "bundle/json.h"

namespace shellrt::router {

bool matchModel(std::string_view glob, std::string_view model) {
  // Iterative wildcard matching: the last `*` is retried one character further on a mismatch.
  size_t g = 0, m = 0, star = std::string_view::npos, resume = 0;
  while (m < model.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == model[m])) {
      ++g, ++m;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = m;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      m = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

namespace {

size_t specificity(std::string_view glob) {
  return static_cast<size_t>(std::count_if(glob.begin(), glob.end(), [](char c) { return c != '*' && c != '?'; }));
}

}  // namespace

Choice choose(const Routes &routes, std::string_view model) {
  Choice c;
  for (const Routes::Route &deny : routes.denied)
    if (matchModel(deny.model, model)) {
      c.denied = &deny;
      return c;
    }
  size_t best = 0;
  bool any = false;
  for (const Routes::Route &route : routes.routes)
    if (matchModel(route.model, model)) best = std::max(best, specificity(route.model)), any = true;
  if (!any) return c;
  for (const Routes::Route &route : routes.routes)
    if (matchModel(route.model, model) && specificity(route.model) == best) c.deciding.push_back(&route);
  c.route = c.deciding.front();  // the checker refused equally specific routes to different targets
  return c;
}

uint64_t spentOn(const Spending &spending, const Routes::Budget &budget) {
  uint64_t total = 0;
  for (const auto &[provider, spent] : spending)
    if (budget.provider.empty() || budget.provider == provider) total += budget.tokens ? spent.tokens : spent.requests;
  return total;
}

const Routes::Budget *exhaustedBudget(const Routes &routes, const std::string &provider, const Spending &spending) {
  for (bool own : {true, false})
    for (bool tokens : {true, false})
      for (const Routes::Budget &b : routes.budgets)
        if (b.tokens == tokens && (own ? b.provider == provider : b.provider.empty()) && spentOn(spending, b) >= b.cap)
          return &b;
  return nullptr;
}

namespace {

// A strict walk over one JSON value from `at`: true with `at` past it.
class Scanner {
public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool value(size_t &at, int depth) {
    space(at);
    if (at >= text_.size() || depth > 64) return false;
    char c = text_[at];
    if (c == '"') return string(at, nullptr);
    if (c == '{' || c == '[') return container(at, depth);
    if (c == '-' || (c >= '0' && c <= '9')) return number(at);
    for (std::string_view word : {"true", "false", "null"})
      if (text_.substr(at, word.size()) == word) return at += word.size(), true;
    return false;
  }
  // A string token from `at` (on its opening quote); its decoded text in `out` if asked.
  bool string(size_t &at, std::string *out) {
    for (++at; at < text_.size(); ++at) {
      char c = text_[at];
      if (c == '"') return ++at, true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        if (++at >= text_.size()) return false;
        char e = text_[at];
        static const std::string_view simple = "\"\\/bfnrt", decoded = "\"\\/\b\f\n\r\t";
        size_t k = simple.find(e);
        if (k != std::string_view::npos) {
          if (out) *out += decoded[k];
        } else if (e == 'u' && at + 4 < text_.size() &&
                   std::all_of(text_.begin() + at + 1, text_.begin() + at + 5, ::isxdigit)) {
          if (out) *out += "\\u" + std::string(text_.substr(at + 1, 4));  // kept escaped; the callers refuse it
          at += 4;
        } else {
          return false;
        }
      } else if (out) {
        *out += c;
      }
    }
    return false;
  }
  void space(size_t &at) const {
    while (at < text_.size() && (text_[at] == ' ' || text_[at] == '\t' || text_[at] == '\n' || text_[at] == '\r')) ++at;
  }
  bool literal(size_t &at, char c) {
    space(at);
    return at < text_.size() && text_[at] == c && (++at, true);
  }

private:
  bool number(size_t &at) {
    size_t start = at;
    if (text_[at] == '-') ++at;
    while (at < text_.size() && std::string_view("0123456789.eE+-").find(text_[at]) != std::string_view::npos) ++at;
    return at > start + (text_[start] == '-' ? 1 : 0);
  }
  bool container(size_t &at, int depth) {
    char close = text_[at] == '{' ? '}' : ']';
    bool object = close == '}';
    ++at;
    if (literal(at, close)) return true;
    for (;;) {
      space(at);
      if (object && (at >= text_.size() || text_[at] != '"' || !string(at, nullptr) || !literal(at, ':'))) return false;
      if (!value(at, depth + 1)) return false;
      if (literal(at, close)) return true;
      if (!literal(at, ',')) return false;
    }
  }
  std::string_view text_;
};

}  // namespace

std::optional<std::vector<Member>> membersOf(std::string_view body, std::string &error) {
  Scanner scan(body);
  size_t at = 0;
  std::vector<Member> out;
  if (!scan.literal(at, '{')) return error = "the request's body is not a JSON object", std::nullopt;
  if (!scan.literal(at, '}')) {
    for (;;) {
      scan.space(at);
      Member m;
      size_t name = at;
      if (at >= body.size() || body[at] != '"' || !scan.string(at, &m.key) || !scan.literal(at, ':'))
        return error = "the request's body is not valid JSON", std::nullopt;
      // The provider decodes `\u` escapes: "mod\u0065l" would be a second model it reads
      // and the router would not. Names are plain ASCII in every API; refuse the rest.
      if (body.substr(name, at - name).find("\\u") != std::string_view::npos)
        return error = "a member's name in the request's body is written with a \\u escape; write it plainly", std::nullopt;
      scan.space(at);
      m.begin = at;
      if (!scan.value(at, 1)) return error = "the request's body is not valid JSON", std::nullopt;
      m.end = at;
      out.push_back(std::move(m));
      if (scan.literal(at, '}')) break;
      if (!scan.literal(at, ',')) return error = "the request's body is not valid JSON", std::nullopt;
    }
  }
  scan.space(at);
  if (at != body.size()) return error = "the request's body has more than one JSON value", std::nullopt;
  return out;
}

std::optional<ModelField> modelOf(std::string_view body, std::string &error) {
  std::optional<std::vector<Member>> members = membersOf(body, error);
  if (!members) return std::nullopt;
  std::optional<ModelField> found;
  for (const Member &m : *members) {
    if (m.key != "model" || body[m.begin] != '"') continue;
    if (found) return error = "the request names its model twice", std::nullopt;
    if (body.substr(m.begin, m.end - m.begin).find("\\u") != std::string_view::npos)
      return error = "the request's model is written with a \\u escape; write it plainly", std::nullopt;
    ModelField field{"", m.begin, m.end};
    size_t at = m.begin;
    Scanner(body).string(at, &field.value);
    found = field;
  }
  if (!found) return error = "the request names no model (a \"model\" string)", std::nullopt;
  return found;
}

std::string withUsageReported(std::string_view body, const std::vector<Member> &members) {
  auto streams = std::find_if(members.begin(), members.end(), [&](const Member &m) {
    return m.key == "stream" && body.substr(m.begin, m.end - m.begin) == "true";
  });
  if (streams == members.end()) return std::string(body);
  const std::string_view asked = "{\"include_usage\":true}";
  std::string out(body);
  // From the last member back, so that the offsets before it stay true.
  for (auto m = members.rbegin(); m != members.rend(); ++m)
    if (m->key == "stream_options") out.replace(m->begin, m->end - m->begin, asked);
  if (std::none_of(members.begin(), members.end(), [](const Member &m) { return m.key == "stream_options"; }))
    out.insert(out.find('{') + 1, "\"stream_options\":" + std::string(asked) + (members.empty() ? "" : ","));
  return out;
}

std::string withModel(std::string_view body, const ModelField &field, const std::string &model) {
  return std::string(body.substr(0, field.begin)) + jsonString(model) + std::string(body.substr(field.end));
}

void Usage::feed(std::string_view bytes) {
  constexpr size_t kKept = 64;  // longer than a key, its colon, spaces and a number
  std::string text = tail_ + std::string(bytes);
  scan(text);
  tail_ = text.substr(text.size() > kKept ? text.size() - kKept : 0);
}

int64_t Usage::input() const {
  if (counts_[kInput] < 0) return -1;
  return counts_[kInput] + std::max<int64_t>(counts_[kCacheWrite], 0) + std::max<int64_t>(counts_[kCacheRead], 0);
}

void Usage::scan(std::string_view text) {
  static const std::pair<std::string_view, int> kKeys[] = {
      {"\"prompt_tokens\"", kInput},       {"\"input_tokens\"", kInput},
      {"\"completion_tokens\"", kOutput},  {"\"output_tokens\"", kOutput},
      {"\"cache_creation_input_tokens\"", kCacheWrite}, {"\"cache_read_input_tokens\"", kCacheRead}};
  for (const auto &[key, count] : kKeys) {
    for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
      size_t i = at + key.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == ':')) ++i;
      size_t digits = i;
      int64_t value = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - digits < 15) value = value * 10 + (text[i++] - '0');
      if (i == digits || i == text.size()) continue;  // no number, or one that may go on in the next piece
      counts_[count] = value;
    }
  }
}

}  // namespace shellrt::router
