// What the verifier's proofs take for granted about the requests it reasons over, where it
// does not make it exact (docs/language.md §17, "What the proofs assume"). `shellc check -v`
// prints each as "proved assuming ...".
#pragma once
#include <string>
#include <vector>

#include "ir/policy.h"

namespace shellc::verify {

// Programs (`by`), HTTP paths and model names are reasoned over by representatives: each
// glob's instance and a text of each overlapping pair. A text that matches three globs at
// once is represented only where one pair's text matches the third too; each triple where
// none does is an assumption: such a text is decided as the pairs' texts are.
std::vector<std::string> representativeAssumptions(const ir::Policy &policy);

}  // namespace shellc::verify
