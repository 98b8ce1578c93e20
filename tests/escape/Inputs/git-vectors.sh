#!/bin/sh
# usage: git-vectors.sh DIR SHELLRT BUNDLE unprivileged|root|none
# Each way a sandbox could leave the host's git a command to run (docs/threat-model.md,
# "Git"), tried in a fresh repository: the sandbox plants it, then the host's git runs as
# the user would (status, commit, rebase --continue, in the repository or the one planted).
# A command that ran on the host leaves a file in DIR/out, which the sandbox cannot reach.
# Prints "VECTOR: held" or "VECTOR: ESCAPED"; the controls print what git did inside. With
# `none`, the plants are made on the host without a sandbox: each must then escape, or the
# test would prove nothing.
set -u
dir=$1 shellrt=$2 bundle=$3 mode=$4
out=$dir/out
as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$dir/home" PATH=/usr/bin:/bin \
  GIT_AUTHOR_NAME=u GIT_AUTHOR_EMAIL=u@x GIT_COMMITTER_NAME=u GIT_COMMITTER_EMAIL=u@x "$@"; }
sandbox() {  # sandbox WORKSPACE SCRIPT
  ws=$1; shift
  if [ "$mode" = none ]; then  # the test's own control: the same plant, made on the host
    as_user sh -c "cd $ws && $*" 2>&1
  elif [ "$mode" = root ]; then
    env -i HOME="$dir/home" PATH=/usr/bin:/bin "$shellrt" "$bundle" --workspace "$ws" -- /bin/sh -c "$*" 2>&1
  else
    as_user "$shellrt" "$bundle" --workspace "$ws" -- /bin/sh -c "$*" 2>&1
  fi | grep -v 'warning: limit memory'
}
# The sandbox plants; the guard's reports are kept, with the path relative to DIR. A report
# said while the sandbox runs is one write, but may follow the start of a line that a program
# inside had begun (chmod's complaint that the hook was moved): matched anywhere in a line.
plant() { sandbox "$@" | sed -n "s|.*shellrt: git: $dir/\([^:]*\):.*moved aside.*|  moved aside: \1|p"; }
host_git() { as_user git -c protocol.file.allow=always "$@" >/dev/null 2>&1; }
# A fresh repository with one commit, as the user made it on the host.
fresh() {
  rm -rf "$dir/repo" && mkdir -p "$dir/repo" "$out" && chown 65534:65534 "$dir/repo" "$out"
  as_user sh -c "cd $dir/repo && git init -q && echo one > a && git add a && git commit -qm one"
}
verdict() {  # verdict NAME: did a planted command run on the host?
  if ls "$out" | grep -q .; then echo "$1: ESCAPED ($(ls "$out"))"; else echo "$1: held"; fi
  rm -f "$out"/*
}
ran() { echo "touch $out/\$(basename \$PWD)"; }
plant_config() { printf '[core]\n\tfsmonitor = %s\n' "$(ran)"; }

fresh
plant "$dir/repo" "printf '#!/bin/sh\n$(ran)\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit"
host_git -C "$dir/repo" commit -qm two --allow-empty; verdict hook

fresh
plant "$dir/repo" "git config core.fsmonitor '$(ran)'"
host_git -C "$dir/repo" status; verdict config

# The worktree's own config, which git reads once the held config turns it on (a harmless
# setting on its own, let through by the supervisor): made in the session, it is checked.
fresh
plant "$dir/repo" "git config extensions.worktreeConfig true && printf '$(plant_config)\n' > .git/config.worktree"
host_git -C "$dir/repo" status; verdict config-worktree

# The user's own config, in the home: the policy lets the sandbox read it, not write it.
fresh
plant "$dir/repo" "printf '$(plant_config)\n' >> $dir/home/.gitconfig"
host_git -C "$dir/repo" status; verdict global-config
rm -f "$dir/home/.gitconfig"

# The held config replaced otherwise than by git's own rewrite, which the supervisor checks
# (git/config_broker.h): swapped with a file in one call, or a link to one as the lock.
fresh
plant "$dir/repo" "printf '$(plant_config)\n' > evil && python3 -c \"import ctypes; ctypes.CDLL(None).renameat2(-100, b'evil', -100, b'.git/config', 2)\""
host_git -C "$dir/repo" status; verdict config-exchange
fresh
plant "$dir/repo" "printf '$(plant_config)\n' > evil && ln -s ../evil .git/config.lock && mv .git/config.lock .git/config"
host_git -C "$dir/repo" status; verdict config-lock-link

fresh
plant "$dir/repo" "mv .git .git-old; git init -q; git config core.fsmonitor '$(ran)'"
host_git -C "$dir/repo" status; verdict replaced-dot-git

fresh
plant "$dir/repo" "mkdir -p evil && printf '$(plant_config)\n' > evil/config && cp -r .git/objects .git/refs evil/ &&
  echo ../evil > .git/commondir"
host_git -C "$dir/repo" status; verdict commondir

# A submodule that exists, and one the sandbox makes up (its git directory, its .git file
# and its entry in the index): the superproject's `git status` looks into both.
fresh
as_user sh -c "cd $dir && rm -rf up && git init -q up && cd up && git commit -q --allow-empty -m up"
host_git -C "$dir/repo" submodule add "$dir/up" sub && host_git -C "$dir/repo" commit -qm sub
plant "$dir/repo" "git -C sub config core.fsmonitor '$(ran)'; printf '$(plant_config)\n' >> .git/modules/sub/config"
host_git -C "$dir/repo" status; verdict existing-submodule
plant "$dir/repo" "mkdir -p .git/modules/made made && cp -r .git/modules/sub/objects .git/modules/sub/refs .git/modules/sub/HEAD .git/modules/made/ &&
  printf '[core]\n\trepositoryformatversion = 0\n\tworktree = ../../../made\n\tfsmonitor = $(ran)\n' > .git/modules/made/config &&
  echo 'gitdir: ../.git/modules/made' > made/.git && git update-index --add --cacheinfo 160000,\$(git -C sub rev-parse HEAD),made"
host_git -C "$dir/repo" status; verdict new-submodule

# A linked worktree the sandbox adds, its commondir then pointed at a directory of its own.
fresh
plant "$dir/repo" "git worktree add -q wt && mkdir -p evil && printf '$(plant_config)\n' > evil/config &&
  cp -r .git/objects .git/refs evil/ && echo \$PWD/evil > .git/worktrees/wt/commondir"
host_git -C "$dir/repo/wt" status; verdict worktree-commondir

# A repository the sandbox makes anywhere in the workspace: its hook and its config.
fresh
nested="mkdir -p deep/nested && cd deep/nested && git init -q && git config core.fsmonitor '$(ran)' &&
  printf '#!/bin/sh\n$(ran)\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit"
plant "$dir/repo" "$nested"
host_git -C "$dir/repo/deep/nested" status; host_git -C "$dir/repo/deep/nested" commit -qm x --allow-empty
verdict nested-repository

# The same while the sandbox still runs: the host's git runs before the session ends (an
# editor polling `git status`), half a second after the plant; the guard's live check has
# moved it aside by then. A repository made inside, one that was in the workspace before the
# session, and a submodule's git directory made up in the workspace's repository.
during() {  # during WORKSPACE PLANT: the plant made, the sandbox waits until the host has judged
  rm -f "$1/.planted" "$1/.judged"
  touch "$dir/.planting"
  plant "$1" "(cd $1 && $2); touch $1/.planted; for i in \$(seq 300); do [ -e $1/.judged ] && break; sleep 0.1; done" \
    > "$dir/during.out" &
  for i in $(seq 300); do [ -e "$1/.planted" ] && break; sleep 0.1; done
  # The guard's answer, a file moved aside, while the session runs: at once when the machine
  # is idle, later when it is loaded (the escape suite runs tests side by side, and the
  # guardian is one more process to schedule). A plant it misses never gets one, and the
  # host's git runs on what was written after the 5 s.
  for i in $(seq 50); do
    [ -n "$(find "$1" "$dir/home" -name '*.shellc-quarantine*' -cnewer "$dir/.planting" 2> /dev/null | head -1)" ] && break
    sleep 0.1
  done
}
judged() { touch "$1/.judged"; wait; cat "$dir/during.out"; }
fresh
during "$dir/repo" "$nested"
host_git -C "$dir/repo/deep/nested" status; host_git -C "$dir/repo/deep/nested" commit -qm x --allow-empty
judged "$dir/repo"; verdict nested-repository-during
fresh
as_user sh -c "cd $dir/repo && git init -q vendor/lib && git -C vendor/lib commit -q --allow-empty -m lib"
during "$dir/repo" "printf '$(plant_config)\n' >> vendor/lib/.git/config;
  printf '#!/bin/sh\n$(ran)\n' > vendor/lib/.git/hooks/pre-commit; chmod +x vendor/lib/.git/hooks/pre-commit"
host_git -C "$dir/repo/vendor/lib" status; host_git -C "$dir/repo/vendor/lib" commit -qm x --allow-empty
judged "$dir/repo"; verdict existing-repository-during

# A directory made a bare repository: no `.git` names it, yet git run in it or below it takes
# it for one (HEAD, objects, refs are enough), its config (a pager, at the user's next `git
# log` in a terminal) and its hooks (a push into it) included. Made during the session, and
# there before it (held from the start, as a nested `.git` is).
host_tty_git() { as_user script -qc "git -C $1 branch -a" /dev/null < /dev/null > /dev/null 2>&1; }
host_push() { host_git -C "$dir/repo" push -q "$1" HEAD:refs/heads/pushed; }
pager_config() { printf '[core]\n\tpager = %s; cat\n' "$(ran)"; }
bare="mkdir -p src/foo src/objects src/refs src/hooks && echo 'ref: refs/heads/main' > src/HEAD &&
  printf '$(pager_config)\n' > src/config && printf '#!/bin/sh\n$(ran)\n' > src/hooks/pre-receive && chmod +x src/hooks/pre-receive"
fresh
plant "$dir/repo" "$bare"
host_tty_git "$dir/repo/src/foo"; host_push "$dir/repo/src"; verdict bare-directory
fresh
during "$dir/repo" "$bare"
host_tty_git "$dir/repo/src/foo"; host_push "$dir/repo/src"
judged "$dir/repo"; verdict bare-directory-during
fresh
as_user sh -c "cd $dir/repo && git init -q --bare mirror.git"
during "$dir/repo" "printf '$(pager_config)\n' >> mirror.git/config;
  printf '#!/bin/sh\n$(ran)\n' > mirror.git/hooks/pre-receive; chmod +x mirror.git/hooks/pre-receive"
host_tty_git "$dir/repo/mirror.git"; host_push "$dir/repo/mirror.git"
judged "$dir/repo"; verdict existing-bare-during

# A repository whose git directory is outside the workspace, where the sandbox may write too
# (the home's npm cache, which the policy opens, at the same path for the host): its config
# written after the repository was made, while the host's git runs there. Not as root: the
# sandbox's home is then the run_as user's.
if [ "$mode" != root ]; then
  mkdir -p "$dir/home/.npm" && chown 65534:65534 "$dir/home/.npm" && rm -rf "$dir/home/.npm/gd"
  fresh
  during "$dir/repo" "git init -q --separate-git-dir $dir/home/.npm/gd outside && sleep 0.3 &&
    printf '$(plant_config)\n' >> $dir/home/.npm/gd/config"
  host_git -C "$dir/repo/outside" status
  judged "$dir/repo"; verdict outside-gitdir-during
  rm -rf "$dir/home/.npm/gd"
fi

# A remote in git's legacy form (.git/remotes/NAME), which git reads for a remote that no
# config names: the user's next push to origin would go where the sandbox said (a repository
# outside the workspace stands for another host; its hook tells that it received the push).
fresh
rm -rf "$dir/elsewhere.git" && as_user git init -q --bare "$dir/elsewhere.git"
printf '#!/bin/sh\ntouch %s/received\n' "$out" > "$dir/elsewhere.git/hooks/pre-receive" && chmod +x "$dir/elsewhere.git/hooks/pre-receive"
plant "$dir/repo" "mkdir -p .git/remotes && printf 'URL: $dir/elsewhere.git\nPush: refs/heads/*:refs/heads/*\n' > .git/remotes/origin"
host_git -C "$dir/repo" push origin HEAD; verdict legacy-remote

# A .git file naming a git directory the sandbox wrote.
fresh
plant "$dir/repo" "git init -q --separate-git-dir=\$PWD/gd g && printf '$(plant_config)\n' >> gd/config"
host_git -C "$dir/repo/g" status; verdict gitfile

# A file the repository's config includes, and the hooks directory it names, both in the
# workspace: existing ones are held read-only, missing ones are checked at the end.
fresh
as_user sh -c "cd $dir/repo && git config include.path ../project.gitconfig && git config core.hooksPath .githooks"
plant "$dir/repo" "printf '$(plant_config)\n' > project.gitconfig; mkdir -p .githooks && printf '#!/bin/sh\n$(ran)\n' > .githooks/pre-commit && chmod +x .githooks/pre-commit"
host_git -C "$dir/repo" status; host_git -C "$dir/repo" commit -qm x --allow-empty; verdict include-and-hookspath-created
as_user sh -c "cd $dir/repo && rm -f project.gitconfig* && rm -rf .githooks && touch project.gitconfig && mkdir .githooks"
plant "$dir/repo" "printf '$(plant_config)\n' > project.gitconfig; printf '#!/bin/sh\n$(ran)\n' > .githooks/pre-commit && chmod +x .githooks/pre-commit"
host_git -C "$dir/repo" status; host_git -C "$dir/repo" commit -qm x --allow-empty; verdict include-and-hookspath-existing

# A rebase stopped inside, its plan left with a command for the host's `rebase --continue`.
fresh
as_user sh -c "cd $dir/repo && echo two > a && git commit -qam two"
plant "$dir/repo" "GIT_SEQUENCE_EDITOR=\"sed -i '1i break'\" git -c user.name=u -c user.email=u@x rebase -q -i --exec '$(ran)' HEAD~1"
host_git -C "$dir/repo" rebase --continue; verdict rebase-plan

# A rebase and a cherry-pick stopped inside, their state naming a merge strategy: git runs
# one not its own as git-merge-NAME, and `../evil` is found in the work tree.
identity="export GIT_AUTHOR_NAME=u GIT_AUTHOR_EMAIL=u@x GIT_COMMITTER_NAME=u GIT_COMMITTER_EMAIL=u@x"
strategy_program="mkdir -p git-merge-.. && printf '#!/bin/sh\n$(ran)\nexit 1\n' > git-merge-../evil && chmod +x git-merge-../evil"
fresh
plant "$dir/repo" "$identity; git checkout -q -b side && echo s > s && git add s && git commit -qm side &&
  git checkout -q - && echo t > t && git add t && git commit -qm two &&
  GIT_SEQUENCE_EDITOR=\"sed -i '1i break'\" git rebase -q -i side; $strategy_program && echo ../evil > .git/rebase-merge/strategy"
host_git -C "$dir/repo" rebase --continue; verdict rebase-strategy
fresh
plant "$dir/repo" "$identity; git checkout -q -b side && echo s1 > a && git commit -qam s1 && echo s2 > b && git add b && git commit -qm s2 &&
  git checkout -q - && echo m > a && git commit -qam m; git cherry-pick side~1 side >/dev/null 2>&1; echo r > a && git add a &&
  $strategy_program && printf '[options]\n\tstrategy = ../evil\n' > .git/sequencer/opts"
host_git -C "$dir/repo" -c core.editor=true cherry-pick --continue; verdict cherry-pick-strategy

# The controls: git works inside, and what it makes there stays the user's.
fresh
rm -rf "$dir/empty" && mkdir "$dir/empty" && chown 65534:65534 "$dir/empty"
sandbox "$dir/empty" "git init -q && echo x > f && git add f && git -c user.name=u -c user.email=u@x commit -qm first &&
  git clone -q . clone && git -C clone log --format=clone:%s && git branch b && git stash list && echo y > f &&
  git stash -q && git stash list | sed 's/:.*/: stashed/' && echo init: ok"
as_user git -C "$dir/empty" log --format=host-sees:%s
sandbox "$dir/repo" "git worktree add -q wt && git -C wt log --format=worktree:%s && cd deep 2>/dev/null; git init -q nested2 && echo nested: ok"
as_user sh -c "cd $dir && rm -rf up && git init -q up && cd up && git commit -q --allow-empty -m up"
host_git -C "$dir/repo" submodule add "$dir/up" sub && host_git -C "$dir/repo" commit -qm sub
sandbox "$dir/repo" "cd sub && git commit -q --allow-empty -m inside -c user.name=u 2>/dev/null ||
  git -c user.name=u -c user.email=u@x commit -q --allow-empty -m inside-sub && git log --format=submodule:%s -1"
# The workspace a linked worktree: its repository's data is the workspace's.
sandbox "$dir/repo/wt" "echo z > z && git add z && git -c user.name=u -c user.email=u@x commit -qm from-linked-worktree && echo linked: ok"
as_user git -C "$dir/repo" log --format=host-sees:%s -1 wt --
# Git rewrites the held config inside, through the supervisor: a submodule added, a remote,
# an e-mail; the user's own alias stays; a setting that would run on the host is refused.
as_user sh -c "cd $dir/repo && git config alias.co checkout && git remote add upstream $dir/up && git init -q inner && git -C inner commit -q --allow-empty -m inner"
sandbox "$dir/repo" "git -c protocol.file.allow=always submodule add -q \$PWD/inner added && echo rewrite: submodule added
  git config user.email agent@x && git remote add origin \$PWD/inner && git fetch -q origin && echo rewrite: remote fetched
  git config core.fsmonitor x 2>/dev/null || echo rewrite: fsmonitor refused
  git remote set-url upstream \$PWD/inner 2>/dev/null || echo rewrite: the user\'s remote redirected refused
  git config branch.master.remote origin 2>/dev/null || echo rewrite: a branch tracking a new remote refused
  git submodule status added | sed 's/^ *[0-9a-f]* /rewrite: status /'
  git -C inner config user.email inner@x && git -C inner -c user.name=u commit -q --allow-empty -m inner2 &&
    echo rewrite: nested repository committed
  { printf x > inner/.git/hooks/pre-commit; } 2>/dev/null || echo rewrite: nested hook refused"
# A bare repository made inside, pushed to, and read by the host's git afterwards.
sandbox "$dir/repo" "git init -q --bare inside.git && git push -q inside.git HEAD:refs/heads/main && echo bare: ok"
as_user git -C "$dir/repo/inside.git" log --format=host-sees-bare:%s -1 main
as_user git -C "$dir/repo" config --get-regexp '^(alias|submodule[.]added|user|remote[.](origin|upstream)[.]url|branch|core[.]fsmonitor)' |
  sed "s|$dir|DIR|; s/^/host-config: /"
