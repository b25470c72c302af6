# Scenario tamper: the spool of full_block, copied after wardend stopped
# cleanly, verifies; each edit makes wardenctl audit verify fail (exit 1)
# naming the file and line where the chain breaks.

# tamper_case NAME EXPECTED_LINE SED_SCRIPT: a fresh copy of the spool whose
# last segment SED_SCRIPT changes; verify must exit 1 naming that segment at
# EXPECTED_LINE.
tamper_case() {
  local name=$1 expected=$2 script=$3 copy=$WORK/tamper-$1 segment reported
  rm -rf "$copy"
  cp -a "$WORK/spool-block-copy" "$copy"
  segment=$(spool_segments "$copy" | tail -n 1)
  sed -i "$script" "$segment"
  verify_spool "tamper-$name" "$copy"
  reported=$(head -n 1 "$OUT/tamper-$name.verify" | cut -d: -f1,2)
  if ((VERIFY_RC == 1)) && [[ $reported == "$segment:$expected" ]]; then
    e2e_pass tamper "$name: verify exits 1 naming $(basename "$segment"):$expected ($(head -n 1 "$OUT/tamper-$name.verify" | cut -d: -f3- | cut -c 1-90))"
  else
    e2e_fail tamper "$name: verify exited $VERIFY_RC saying '$(head -n 1 "$OUT/tamper-$name.verify")', expected $segment:$expected"
  fi
}

check_tamper() {
  local segment lines k
  [[ -d $WORK/spool-block-copy ]] || { e2e_fail tamper "no spool copy from full_block"; return 0; }
  verify_spool tamper-clean "$WORK/spool-block-copy"
  e2e_check tamper "verify passes on the untouched copy" test "$VERIFY_RC" -eq 0
  segment=$(spool_segments "$WORK/spool-block-copy" | tail -n 1)
  lines=$(wc -l <"$segment")
  ((lines >= 10)) || { e2e_fail tamper "the last segment has only $lines lines"; return 0; }
  # A request line in the middle: its method edited, it still parses; the
  # chain breaks at the next line, whose prev no longer matches.
  k=$(awk -v half=$((lines / 2)) 'NR > half && /"type":"request"/ && /"method":"GET"/ { print NR; exit }' "$segment")
  [[ -n $k ]] || { e2e_fail tamper "no GET request line in the second half of $segment"; return 0; }
  tamper_case edited $((k + 1)) "${k}s/\"method\":\"GET\"/\"method\":\"PUT\"/"
  # A deleted line: the next one now stands where it stood, its seq too high.
  tamper_case deleted "$k" "${k}d"
  # Two lines swapped: the first of them is out of place.
  tamper_case swapped "$k" "${k}{h;d};$((k + 1)){G}"
}
