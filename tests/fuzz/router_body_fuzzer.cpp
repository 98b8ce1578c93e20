// libFuzzer target: any bytes as the inference router reads a request's body (router/route.h).
// Properties checked: no crash, no hang; a refusal always says why; a model that is read
// lies where its token is, and putting it back in its place gives the body unchanged (so that
// `rewrite` changes the model and nothing else); routing any model through an empty table
// refuses it.
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
  return 0;
}
