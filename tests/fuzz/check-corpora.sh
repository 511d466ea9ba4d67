#!/bin/sh
# Every fuzz target that `make check` builds (check_PROGRAMS in fuzz/*.inc)
# is replayed (TESTS) against a non-empty fuzz/corpus/<target>/, every
# corpus folder belongs to a target, and the standalone replay driver fails
# (rather than passing an empty run) on a missing or empty corpus folder.
cd "$TOP_SRCDIR" || { echo "Bail out! no TOP_SRCDIR"; exit 1; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

# the fuzz/fuzz-X words on the check_PROGRAMS / TESTS lines (with their
# continuation lines) of the fragments fuzz/targets.inc includes
words() {
  for inc in $(sed -n 's/^include fuzz\/\(.*\.inc\)$/\1/p' fuzz/targets.inc); do
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "fuzz/$inc" |
      sed -n "s/^$1 *+= *//p"
  done | tr ' \t' '\n\n' | sed -n 's|^fuzz/\(fuzz-[A-Za-z0-9_-]*\)$|\1|p' | sort -u
}
progs=$(words check_PROGRAMS)
tests=$(words TESTS)
[ -n "$progs" ] || { echo "Bail out! no fuzz targets found in fuzz/*.inc"; exit 1; }

for t in $progs; do
  case " $(echo $tests) " in
  *" $t "*) ok "$t is replayed by make check" ;;
  *) notok "$t is built but not in TESTS" ;;
  esac
  files=$(find "fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
  if [ "$files" -gt 0 ]; then ok "fuzz/corpus/$t has $files files"
  else notok "fuzz/corpus/$t is missing or empty"; fi
done
for d in fuzz/corpus/*/; do
  t=$(basename "$d")
  case " $(echo $progs) " in
  *" $t "*) ;;
  *) notok "fuzz/corpus/$t belongs to no target" ;;
  esac
done

# the driver itself, with the first target: a missing folder, an empty
# folder and a missing default corpus all fail; its own corpus passes
t=$(echo "$progs" | head -n 1)
bin="$TOP_BUILDDIR/fuzz/$t"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty" "$tmp/tree"
if "$bin" "$tmp/missing" >"$tmp/out" 2>&1; then
  notok "$t accepts a missing corpus folder"
elif grep -q '^Bail out!' "$tmp/out"; then ok "$t fails on a missing folder"
else notok "$t failed on a missing folder without saying so"; fi
if "$bin" "$tmp/empty" >"$tmp/out" 2>&1; then
  notok "$t accepts an empty corpus folder"
elif grep -q '^Bail out!' "$tmp/out"; then ok "$t fails on an empty folder"
else notok "$t failed on an empty folder without saying so"; fi
if (cd "$tmp" && TOP_SRCDIR="$tmp/tree" "$bin") >"$tmp/out" 2>&1; then
  notok "$t passes under make check without fuzz/corpus/$t"
else ok "$t fails under make check without fuzz/corpus/$t"; fi
if TOP_SRCDIR="$TOP_SRCDIR" "$bin" >"$tmp/out" 2>&1 &&
   grep -q "^ok .*fuzz/corpus/$t/" "$tmp/out"; then
  ok "$t replays fuzz/corpus/$t"
else notok "$t does not replay its own corpus"; sed 's/^/# /' "$tmp/out" | tail -5; fi
echo "1..$n"
