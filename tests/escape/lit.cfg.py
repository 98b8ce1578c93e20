# The escape suite: real programs attack a real sandbox (shellrt under a compiled bundle),
# and each test asserts what the kernel did. Every attack has a control beside it: the same
# action on something the policy allows, which must succeed.
import os
import lit.formats

config.name = "shellc-escape"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params.get("exec_root", "/tmp/shellc-escape")

shellc = lit_config.params.get("shellc")
shellrt = lit_config.params.get("shellrt")
if not shellc or not shellrt:
    lit_config.fatal("run lit with --param shellc=PATH --param shellrt=PATH")
root = os.path.join(os.path.dirname(__file__), "..", "..")
config.substitutions.append(("%shellc", shellc))
config.substitutions.append(("%shellrt", shellrt))
config.substitutions.append(("%examples", os.path.join(root, "examples")))
# A fresh workspace and home owned by the unprivileged user the sandbox runs as, and the
# coding-agent bundle.
config.substitutions.append(("%setup", os.path.join(os.path.dirname(__file__), "Inputs", "setup.sh") + " %t"))
# The sandbox, started as an unprivileged user (nobody), as a user would.
config.substitutions.append(
    ("%sandbox", "setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=%t/home PATH=/usr/bin:/bin "
     + shellrt + " %t/agent.bundle --workspace %t/ws --"))
config.environment["PATH"] = os.pathsep.join(["/usr/lib/llvm-14/bin", config.environment.get("PATH", "")])
config.excludes = ["Inputs"]
import shutil
if shutil.which("runc"):
    config.available_features.add("runc")
if os.geteuid() != 0:
    config.unsupported = True  # the setup chowns to another user: run as root (CI does)


# `cgroups`: started by root here, shellrt gives a sandbox a cgroup of its own with memory and
# pids limits (cgroup v2 controllers this cgroup can pass on, or v1 hierarchies). The runtime
# is asked, with a probe bundle, rather than the test guessing what it would decide.
def runtime_makes_cgroups():
    import subprocess, tempfile
    with tempfile.TemporaryDirectory() as d:
        policy, bundle = os.path.join(d, "probe.policy"), os.path.join(d, "probe.bundle")
        with open(policy, "w") as f:
            f.write("filesystem {\n  default allow\n}\nprocess {\n  run_as 65534:65534\n"
                    "  limit memory 1GiB\n  limit processes 64\n}\n")
        subprocess.run([shellc, "build", policy, "-o", bundle], check=True, capture_output=True)
        run = subprocess.run([shellrt, bundle, "--workspace", d, "--audit-log", "-", "--", "/bin/true"],
                             capture_output=True, text=True)
        return '"applied":"cgroup: v' in run.stderr


if os.geteuid() == 0 and runtime_makes_cgroups():
    config.available_features.add("cgroups")
