# LLVM lit configuration: each test is a policy (or a .test script) with its RUN lines and
# the expected output (FileCheck CHECK lines) written beside the input.
import os
import lit.formats

config.name = "shellc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".policy", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
# Temporary files (%t) go to the build tree, never beside the tests.
config.test_exec_root = lit_config.params.get("exec_root", os.path.join("/tmp", "shellc-lit"))
# A test that hangs is stopped and reported as such (lit does it with psutil: python3-psutil).
try:
    import psutil  # noqa: F401
    lit_config.maxIndividualTestTime = 120
except ImportError:
    lit_config.note("no psutil: a test that hangs is not stopped")

shellc = lit_config.params.get("shellc")
llvm_bin = lit_config.params.get("llvm_bin", "/usr/lib/llvm-14/bin")
if not shellc:
    lit_config.fatal("run lit with --param shellc=PATH/TO/shellc")
config.substitutions.append(("%shellc", shellc))
config.substitutions.append(("%stdlib", os.path.join(os.path.dirname(__file__), "..", "..", "stdlib")))
config.environment["PATH"] = os.pathsep.join([llvm_bin, config.environment.get("PATH", "")])
