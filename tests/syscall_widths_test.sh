#!/bin/sh
# The argument widths (compiler/frontend/syscall_widths.def) are the kernel's, not typed by
# hand: regenerate them from the installed Linux headers' prototypes and compare.
set -eu
root=$1
header=$(ls /usr/src/linux-headers-*-common/include/linux/syscalls.h 2>/dev/null | sort -V | tail -n 1)
if [ -z "$header" ]; then
  echo "no Linux headers in /usr/src: install linux-headers-$(dpkg --print-architecture) (scripts/setup.sh does)" >&2
  exit 1
fi
python3 "$root/scripts/gen_syscall_widths.py" "$header" "$root/compiler/frontend/syscall_args.def" |
  diff -u "$root/compiler/frontend/syscall_widths.def" - && echo "syscall widths match $header"
