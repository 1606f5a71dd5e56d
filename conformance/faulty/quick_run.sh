# Sourced by the runner's own tests (certify_invariants.sh, check_pages.sh):
# fail() and quick certifications of in-process targets into $dir.
# Needs P9CONFORM (the program) and dir (where the certificates go).
status=0
fail() {
  echo "FAIL: $1" >&2
  status=1
}
export P9_DEVIATIONS=/dev/null
unset P9_START P9_PROFILE
# quick_run NAME TARGET FILTER: certifies TARGET (the cases FILTER selects)
# into $dir/NAME.md, .html and .summary, its output in $dir/NAME.out; $rc
# its exit status. Ends the test when a file is missing.
quick_run() {
  P9_TARGET=$2 P9_REPORT="$dir/$1.md" "$P9CONFORM" --gtest_brief=1 --gtest_filter="$3" > "$dir/$1.out" 2>&1
  rc=$?
  for f in md html summary; do
    [ -s "$dir/$1.$f" ] || {
      echo "FAIL: the run against $2 wrote no $dir/$1.$f (exit $rc); output:" >&2
      tail -30 "$dir/$1.out" >&2
      exit 1
    }
  done
}
