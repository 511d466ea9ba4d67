#!/bin/sh
# The shared library exports only sc_ symbols, exactly those listed in
# src/libsealcall.sym; every public header compiles on its own.
echo "1..3"
lib="$TOP_BUILDDIR/src/.libs/libsealcall.so"
sym="$TOP_SRCDIR/src/libsealcall.sym"
if [ ! -f "$lib" ]; then echo "not ok 1 - $lib not built"; exit 1; fi
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u)
bad=$(printf '%s\n' "$exported" | grep -v '^sc_' || true)
if [ -z "$bad" ]; then echo "ok 1 - only sc_ symbols are exported"
else echo "not ok 1 - non-sc_ exports:"; printf '# %s\n' $bad; fi
tmp=${TMPDIR:-/tmp}/sc-abi.$$
grep -v '^#' "$sym" | sed '/^$/d' | sort -u >"$tmp.listed"
printf '%s\n' "$exported" >"$tmp.exported"
d=$(diff "$tmp.exported" "$tmp.listed")
rm -f "$tmp.listed" "$tmp.exported"
if [ -z "$d" ]; then echo "ok 2 - exports match src/libsealcall.sym"
else echo "not ok 2 - exports differ from src/libsealcall.sym (< exported, > listed):"; printf '%s\n' "$d" | sed 's/^/# /'; fi
fail=0
for h in "$TOP_SRCDIR"/include/sealcall/*.h; do
  if ! printf '#include <sealcall/%s>\n' "$(basename "$h")" |
       ${CC:-cc} -x c -fsyntax-only -Wall -Wextra -Werror -I"$TOP_SRCDIR/include" \
         $(pkg-config --cflags glib-2.0) - 2>/tmp/hdr.$$; then
    echo "# $(basename "$h") does not compile alone:"; sed 's/^/# /' /tmp/hdr.$$; fail=1
  fi
done
rm -f /tmp/hdr.$$
if [ $fail = 0 ]; then echo "ok 3 - every public header compiles alone"; else echo "not ok 3 - public headers"; fi
