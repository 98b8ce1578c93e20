// The small sections of the bundle: the process setup and the inference route table.
#pragma once
#include "backends/rule_source.h"

namespace shellc::backends {

llvm::json::Value processJson(const ir::Process &process);
llvm::json::Value routesJson(const ir::Inference &inference, const SourceNames &names);

}  // namespace shellc::backends
