// libFuzzer target: any bytes as the inference router reads a request's body (router/route.h).
// Properties checked: no crash, no hang; a refusal always says why; a model that is read
// lies where its token is, and putting it back in its place gives the body unchanged (so that
// `rewrite` changes the model and nothing else); routing any model through an empty table
// refuses it; asking a body for its usage leaves a JSON object that streams exactly when the
// body did and whose every `stream_options` asks for the usage.
#include <cstdlib>
#include <string>

#include "router/route.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string body(reinterpret_cast<const char *>(data), size), error;
  std::optional<shellrt::router::ModelField> field = shellrt::router::modelOf(body, error);
  if (!field) {
    if (error.empty()) abort();
    return 0;
  }
  if (field->begin >= field->end || field->end > body.size() || body[field->begin] != '"' || body[field->end - 1] != '"') abort();
  std::string again = shellrt::router::withModel(body, *field, "m");
  std::string restored = again.substr(0, field->begin) + body.substr(field->begin, field->end - field->begin) +
                         again.substr(field->begin + 3);
  if (restored != body) abort();
  if (shellrt::router::choose(shellrt::Routes{}, field->value).route) abort();
  std::optional<std::vector<shellrt::router::Member>> members = shellrt::router::membersOf(body, error);
  if (!members) abort();  // modelOf read it
  std::string asked = shellrt::router::withUsageReported(body, *members);
  std::optional<std::vector<shellrt::router::Member>> after = shellrt::router::membersOf(asked, error);
  if (!after) abort();
  auto streams = [](const std::string &text, const std::vector<shellrt::router::Member> &ms) {
    for (const auto &m : ms)
      if (m.key == "stream" && text.compare(m.begin, m.end - m.begin, "true") == 0) return true;
    return false;
  };
  if (streams(body, *members) != streams(asked, *after)) abort();
  for (const auto &m : *after)
    if (streams(asked, *after) && m.key == "stream_options" &&
        asked.compare(m.begin, m.end - m.begin, "{\"include_usage\":true}") != 0)
      abort();
  return 0;
}
