#include "verify/smt.h"

#include <algorithm>
#include <set>

namespace shellc::verify::smt {

z3::expr anyOf(z3::context &ctx, const std::vector<z3::expr> &terms) {
  if (terms.empty()) return ctx.bool_val(false);
  z3::expr_vector v(ctx);
  for (const z3::expr &t : terms) v.push_back(t);
  return z3::mk_or(v);
}

Footprint Footprint::unionOf(const std::vector<Footprint> &parts) {
  std::vector<std::pair<uint64_t, uint64_t>> all;
  for (const Footprint &part : parts) all.insert(all.end(), part.ranges_.begin(), part.ranges_.end());
  std::sort(all.begin(), all.end());
  Footprint out;
  for (const auto &r : all) {
    if (!out.ranges_.empty() && r.first <= out.ranges_.back().second)
      out.ranges_.back().second = std::max(out.ranges_.back().second, r.second);
    else out.ranges_.push_back(r);
  }
  return out;
}

bool Footprint::meets(const Footprint &other) const {
  for (size_t i = 0, j = 0; i < ranges_.size() && j < other.ranges_.size();) {
    if (ranges_[i].second <= other.ranges_[j].first) ++i;
    else if (other.ranges_[j].second <= ranges_[i].first) ++j;
    else return true;
  }
  return false;
}

z3::expr choiceVar(z3::context &ctx, const char *name, size_t count) {
  unsigned bits = 1;
  while ((size_t{1} << bits) <= count) ++bits;  // room for `count` itself, the bound of inRange
  return ctx.bv_const(name, bits);
}

z3::expr inRange(const z3::expr &choice, size_t count) {
  return z3::ult(choice, choice.ctx().num_val(static_cast<int>(count), choice.get_sort()));
}

z3::expr oneOf(const z3::expr &choice, const std::vector<size_t> &indices) {
  z3::expr_vector cases(choice.ctx());
  for (size_t i : indices) cases.push_back(choice == choice.ctx().num_val(static_cast<int>(i), choice.get_sort()));
  return cases.empty() ? choice.ctx().bool_val(false) : z3::mk_or(cases);
}

Footprint footprintOf(const std::vector<size_t> &indices) {
  std::vector<Footprint> parts;
  for (size_t i : indices) parts.push_back(Footprint::range(i, i + 1));
  return Footprint::unionOf(parts);
}

size_t chosen(const z3::model &model, const z3::expr &choice) { return model.eval(choice, true).get_numeral_uint64(); }

std::string freshWord(const std::vector<std::string> &used) {
  for (int n = 0;; ++n) {
    std::string word = "other" + (n ? std::to_string(n) : "");
    bool clash = false;
    for (const std::string &u : used) clash = clash || u.find(word) != std::string::npos;
    if (!clash) return word;
  }
}

z3::context &processContext() {
  static z3::context *ctx = new z3::context;
  return *ctx;
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
