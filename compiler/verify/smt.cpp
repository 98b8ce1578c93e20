#include "verify/smt.h"

#include <set>

namespace shellc::verify::smt {

z3::expr anyOf(z3::context &ctx, const std::vector<z3::expr> &terms) {
  if (terms.empty()) return ctx.bool_val(false);
  z3::expr_vector v(ctx);
  for (const z3::expr &t : terms) v.push_back(t);
  return z3::mk_or(v);
}

std::string freshWord(const std::vector<std::string> &used) {
  for (int n = 0;; ++n) {
    std::string word = "other" + (n ? std::to_string(n) : "");
    bool clash = false;
    for (const std::string &u : used) clash = clash || u.find(word) != std::string::npos;
    if (!clash) return word;
  }
}

std::vector<std::unique_ptr<Layer>> encodeLayers(z3::context &ctx, const std::vector<const ir::Policy *> &policies) {
  std::vector<std::unique_ptr<Layer>> out;
  out.push_back(filesystemLayer(ctx, policies));
  // Every arch any of the policies targets: on the others both kill every call.
  std::set<ir::Arch> arches;
  for (const ir::Policy *policy : policies) arches.insert(policy->syscalls.arches.begin(), policy->syscalls.arches.end());
  for (ir::Arch arch : arches) out.push_back(syscallLayer(ctx, arch));
  out.push_back(networkLayer(ctx, policies));
  out.push_back(inferenceLayer(ctx, policies));
  return out;
}

}  // namespace shellc::verify::smt
