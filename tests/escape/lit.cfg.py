# The escape suite: real programs attack a real sandbox (shellrt under a compiled bundle),
# and each test asserts what the kernel did. Every attack has a control beside it: the same
# action on something the policy allows, which must succeed.
import os
import sys
import lit.formats

config.name = "shellc-escape"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
# The tests bind Unix sockets under %t (tmux, ssh-agent, listeners), and a socket's path must
# fit in 107 bytes: a build directory deep in the file system would have them fail, or a test
# wait for a socket that never comes. A long root is moved to a short one in /tmp.
exec_root = lit_config.params.get("exec_root", "/tmp/shellc-escape")
if len(exec_root) > 40:
    import hashlib
    exec_root = "/tmp/shellc-escape-" + hashlib.sha256(exec_root.encode()).hexdigest()[:8]
    lit_config.note("tests run in " + exec_root + " (Unix socket paths must stay short)")
os.umask(0o022)  # the sandboxes' user reads what the tests write, whatever the caller's umask
os.makedirs(exec_root, mode=0o755, exist_ok=True)
os.chmod(exec_root, 0o755)  # the sandboxes' user walks into it
config.test_exec_root = exec_root
# A test that hangs is stopped and reported as such (lit does it with psutil: setup.sh
# installs python3-psutil), rather than holding the whole run.
try:
    import psutil  # noqa: F401
    lit_config.maxIndividualTestTime = 300
except ImportError:
    lit_config.note("no psutil for " + sys.executable + ": a test that hangs is not stopped")

shellc = lit_config.params.get("shellc")
shellrt = lit_config.params.get("shellrt")
if not shellc or not shellrt:
    lit_config.fatal("run lit with --param shellc=PATH --param shellrt=PATH")
root = os.path.join(os.path.dirname(__file__), "..", "..")
config.substitutions.append(("%shellc", shellc))
config.substitutions.append(("%shellrt", shellrt))
config.substitutions.append(("%examples", os.path.join(root, "examples")))
# The official model SDKs and the agent CLIs from npm, which scripts/setup.sh installs into the
# build directory (beside bin/, where shellrt is): run inside sandboxes against fake providers.
config.substitutions.append(("%agent_modules", lit_config.params.get(
    "agent_modules", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(shellrt))), "npm-agents", "node_modules"))))
config.substitutions.append(("%npm_modules", lit_config.params.get(
    "npm_modules", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(shellrt))), "npm", "node_modules"))))
# A fresh workspace and home owned by the unprivileged user the sandbox runs as, and the
# coding-agent bundle.
config.substitutions.append(("%setup", os.path.join(os.path.dirname(__file__), "Inputs", "setup.sh") + " %t"))
# The sandbox, started as an unprivileged user (nobody), as a user would.
config.substitutions.append(
    ("%sandbox", "setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=%t/home PATH=/usr/bin:/bin "
     + shellrt + " %t/agent.bundle --workspace %t/ws --"))
# The system's programs only, whoever runs the suite: a python3 or git that a user set up in
# a home (pyenv's shims in /root) cannot be run by the sandboxes' user, nor inside.
config.environment["PATH"] = "/usr/lib/llvm-14/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
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
# `cgroups-v1`: the memory and pids controllers are v1 hierarchies, where a directory below
# one's own cgroup, owned by a user, is a cgroup delegated to that user.
if all(os.path.exists("/sys/fs/cgroup/%s/cgroup.procs" % c) for c in ("memory", "pids")):
    config.available_features.add("cgroups-v1")
