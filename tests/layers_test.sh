#!/bin/bash
# The layers of ARCHITECTURE.md, checked on the sources: each folder of compiler/ includes
# only its own headers and those of the layers below it, and runtime/ none of the compiler's.
# The build refuses such an include too (compiler/CMakeLists.txt gives each library only its
# own folder); this test keeps the table, so that a link added up the pipeline is caught.
# Usage: layers_test.sh [source dir]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}

declare -A allowed=(
  [support]=""
  [ir]="support"
  [frontend]="support ir"
  [verify]="support ir frontend"
  [backends]="support ir"
  [importers]="support ir frontend"
  [driver]="support ir frontend verify backends importers"
)
layers="${!allowed[*]}"
failed=0

# Prints "file:line:included path" for each quoted include of the files under $1.
includes() {
  grep -rHn --include='*.h' --include='*.cpp' --include='*.def' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1" |
    sed -E 's/^([^:]*:[0-9]+):.*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1:\2/'
}

for dir in "$root"/compiler/*/; do
  layer=$(basename "$dir")
  if [[ -z ${allowed[$layer]+x} ]]; then
    echo "compiler/$layer: a folder that is no layer; add it to ARCHITECTURE.md and to this test"
    failed=1
    continue
  fi
  while IFS= read -r hit; do
    where=${hit%:*}
    path=${hit##*:}
    target=${path%%/*}
    [[ $path == */* ]] || target=""
    if [[ $where == */frontend/parser.cpp:* && $path == ShellPolicy*.h ]]; then
      continue  # the generated parser, from shellpolicy_grammar
    fi
    if [[ -z $target || $path == ../* || " $layers " != *" $target "* ]]; then
      echo "${where#"$root"/}: \"$path\" names no layer (write \"<layer>/file.h\")"
      failed=1
    elif [[ $target != "$layer" && " ${allowed[$layer]} " != *" $target "* ]]; then
      echo "${where#"$root"/}: $layer may not include \"$path\" ($layer may use: ${allowed[$layer]:-nothing})"
      failed=1
    fi
  done < <(includes "$dir")
done

# The runtime is built apart and must not need the compiler's code.
while IFS= read -r hit; do
  path=${hit##*:}
  if [[ " $layers " == *" ${path%%/*} "* && $path == */* ]]; then
    where=${hit%:*}
    echo "${where#"$root"/}: the runtime may not include the compiler's \"$path\""
    failed=1
  fi
done < <(includes "$root/runtime")
if grep -n 'shellc_' "$root/runtime/CMakeLists.txt"; then
  echo "runtime/CMakeLists.txt: the runtime may not link the compiler's libraries"
  failed=1
fi

[[ $failed == 0 ]] && echo "layers: every include goes down the pipeline"
exit $failed
