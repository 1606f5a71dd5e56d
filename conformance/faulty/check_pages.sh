#!/bin/sh
# The HTML certificate and the matrix page in headless Chromium: each
# renders, with no script error and nothing loaded from elsewhere, and the
# counts it shows are the Markdown certificate's. Two quick runs (a few
# groups): the plain model, and the model with a planted bug (a failure with
# its exchange, a data finding).
# Environment: P9CONFORM (the program), P9_REPORT_DIR, P9_CHROMIUM (optional).
set -u
chromium=${P9_CHROMIUM:-/usr/lib/chromium/chromium}
[ -x "$chromium" ] || {
  echo "skipped: $chromium is not installed (apt-get install chromium)"
  exit 77
}
dir="$P9_REPORT_DIR/pages"
rm -rf "$dir"
mkdir -p "$dir"
. "$(dirname "$0")/quick_run.sh"
for t in model planted-invariant-bug-nofresh; do
  quick_run "$t" "inprocess:$t" 'Mkdir.*:Symlink.*:Readlink.*'
done
"$P9CONFORM" --matrix "$dir/matrix.html" "$dir/model.summary" "$dir/planted-invariant-bug-nofresh.summary" ||
  fail "p9conform --matrix failed"
grep -q '<th><a href="model.html">inprocess:model</a></th>' "$dir/matrix.html" ||
  fail "the matrix does not link to the model's certificate"
# A file that is not a summary is refused, with the reason.
"$P9CONFORM" --matrix "$dir/bad.html" "$dir/model.md" > "$dir/bad.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "model.md: not a p9conform summary" "$dir/bad.out" ||
  fail "a Markdown file given as a summary: exit $rc, $(cat "$dir/bad.out")"

# render PAGE: the DOM Chromium built from PAGE.html into PAGE.dom, its log in PAGE.log.
# The flags are those opfs/host/serve.mjs starts Chromium with, and --dump-dom.
render() {
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$dir/profile" \
    --enable-logging=stderr --v=0 --dump-dom "file://$dir/$1.html" > "$dir/$1.dom" 2> "$dir/$1.log"
  grep -q '</table>' "$dir/$1.dom" || fail "$1.html did not render (no table in the DOM; log $dir/$1.log)"
  # The pages have no script: any console message is an error (a script, a failed load).
  ! grep -E ':CONSOLE[:(]' "$dir/$1.log" || fail "$1.html: messages in the console (above)"
  ! grep -Eiq '(src|href)="?(https?:|//)' "$dir/$1.html" || fail "$1.html loads something from elsewhere"
}
# md_groups MD: "group passed failed skipped deviations not-run" per line, from the Markdown's Groups table.
md_groups() {
  sed -n '/^## Groups/,/^## [^G]/p' "$1" | grep -E '^\| [A-Za-z0-9_]+ \| [0-9]' |
    tr -d '|' | tr -s ' ' | sed 's/^ //; s/ $//'
}

for t in model planted-invariant-bug-nofresh; do
  render "$t"
  dom="$dir/$t.dom"
  # The groups table: one row per line, the Markdown's columns then the worst class.
  sed -n '/id="groups"/,/<\/table>/p' "$dom" | grep '<td' | sed 's#</td><td[^>]*>#\t#g; s#<[^>]*>##g' |
    cut -f1-6 | tr '\t' ' ' | sort > "$dir/$t.html-groups"
  md_groups "$dir/$t.md" | sort > "$dir/$t.md-groups"
  [ -s "$dir/$t.md-groups" ] && cmp -s "$dir/$t.md-groups" "$dir/$t.html-groups" ||
    fail "$t: the HTML's group counts are not the Markdown's: $(diff "$dir/$t.md-groups" "$dir/$t.html-groups" | head -4)"
  md_cases=$(grep -E '^\| cases \| ' "$dir/$t.md" | sed 's/^| cases | //; s/ |$//')
  html_cases=$(grep -o '<td id="cases">[^<]*' "$dom" | sed 's/.*>//')
  [ -n "$md_cases" ] && [ "$md_cases" = "$html_cases" ] || fail "$t: cases '$html_cases' in HTML, '$md_cases' in Markdown"
  md_verdict=$(grep -E '^\| verdict \| ' "$dir/$t.md" | sed 's/^| verdict | \*\*//; s/\*\* |$//')
  grep -Fq ">$md_verdict</p>" "$dom" || fail "$t: the HTML does not show the verdict '$md_verdict'"
done
# The failure's exchange is folded: a <details> per failed case, its frames inside.
[ "$(grep -c '<details class="failure">' "$dir/planted-invariant-bug-nofresh.dom")" -eq \
  "$(grep -c '^### ' "$dir/planted-invariant-bug-nofresh.md")" ] || fail "not one folded exchange per failure"
grep -q '<tr class="c-data"><td>Symlink</td>' "$dir/planted-invariant-bug-nofresh.dom" ||
  fail "the Symlink group is not coloured as data (its worst class)"

render matrix
# The matrix: the cell in column i of each group row shows server i's counts,
# "WORST<br>PASSED / FAILED / DEVIATIONS[, N skipped][, N not run]"; read back as the Markdown's columns.
col=0
for t in model planted-invariant-bug-nofresh; do
  col=$((col + 1))
  grep '<tr data-group="[A-Za-z0-9_]*">' "$dir/matrix.dom" | grep -v 'data-group="total"' |
    sed 's#^<tr data-group="\([A-Za-z0-9_]*\)">#\1#; s#<th>[^<]*</th>##; s#</td>##g; s#<br>#|#g' |
    awk -F'<td[^>]*>' -v col=$((col + 1)) '{
      split($col, c, "|"); n = split(c[2], f, " / "); skipped = 0; notrun = 0
      if (match(f[3], /, [0-9]+ skipped/)) skipped = substr(f[3], RSTART + 2, RLENGTH - 10) + 0
      if (match(f[3], /, [0-9]+ not run/)) notrun = substr(f[3], RSTART + 2, RLENGTH - 10) + 0
      print $1, f[1] + 0, f[2] + 0, skipped, f[3] + 0, notrun }' | sort > "$dir/matrix-$t"
  cmp -s "$dir/$t.md-groups" "$dir/matrix-$t" ||
    fail "matrix column $col ($t) does not show its Markdown's counts: $(diff "$dir/$t.md-groups" "$dir/matrix-$t" | head -4)"
done
[ $status -eq 0 ] && echo "check_pages: the certificates and the matrix render and show the Markdown's counts ($dir)"
exit $status
