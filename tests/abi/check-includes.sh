#!/bin/sh
# Dependency rules (STYLE.md C2): ui-cli sees include/ only; lower layers
# never include higher ones; pure modules include no I/O module; src/bench
# (the bench protocol) is an application of the public API: it includes
# <sealcall/...> and system headers only, and nothing includes it.
echo "1..3"
cd "$TOP_SRCDIR" || exit 1
# ui-cli's own headers (a name without a directory, present in ui-cli/)
# are allowed; anything else in quotes is a private header of src/
bad=""
for hit in $(grep -o '#include "[^"]*"' ui-cli/*.c ui-cli/*.h | sed 's/#include "//; s/"$//' | tr ' ' '_'); do
  f=${hit%%:*}; h=${hit#*:}
  case "$h" in */*) bad="$bad $f:$h";; *) [ -f "ui-cli/$h" ] || bad="$bad $f:$h";; esac
done
if [ -z "$bad" ]; then echo "ok 1 - ui-cli includes only public headers and its own"
else echo "not ok 1 - ui-cli includes private headers:"; for x in $bad; do echo "# $x"; done; fi
# layer order, lowest first; a module may include only modules left of it
order="core sdp keys identity signaling idp media inspector privacy ice srtp dtls sctp call"
fail=""
for mod in $order; do
  allowed=$(echo "$order" | sed "s/ $mod.*//; s/^$mod.*//")
  for f in src/$mod/*.[ch]; do
    [ -f "$f" ] || continue
    for inc in $(grep -o '#include "[a-z]*/' "$f" | sed 's/#include "//; s/\///'); do
      [ "$inc" = "$mod" ] && continue
      case " $allowed " in *" $inc "*) ;; *) fail="$fail $f->$inc";; esac
    done
  done
done
if [ -z "$fail" ]; then echo "ok 2 - no module includes a higher layer"
else echo "not ok 2 - upward includes:"; for x in $fail; do echo "# $x"; done; fi
bad=$(grep -n '#include "' src/bench/*.[ch] 2>/dev/null || true)
bad="$bad$(grep -rn '#include "bench/' src ui-cli 2>/dev/null || true)"
if [ -z "$bad" ]; then echo "ok 3 - src/bench uses the public API only, and no one includes it"
else echo "not ok 3 - src/bench and private headers:"; printf '%s\n' "$bad" | sed 's/^/# /'; fi
