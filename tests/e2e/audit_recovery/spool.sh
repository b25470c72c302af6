# What a spool holds, read from its segments (events-<n>.jsonl, in number
# order), and wardenctl audit verify on it.

# spool_segments DIR: the segment files, oldest first.
spool_segments() {
  find "$1" -maxdepth 1 -name 'events-*.jsonl' | LC_ALL=C sort
}

# spool_lines DIR: every complete line; a segment's trailing half line (a
# write under way) is left out.
spool_lines() {
  local segment lines
  while read -r segment; do
    [[ -n $segment ]] || continue
    lines=$(wc -l <"$segment")
    head -n "$lines" "$segment"
  done < <(spool_segments "$1")
}

# Lines as JSON objects only: a line cut by a crash or a full disk is not one.
spool_objects() {
  spool_lines "$1" | jq -c -R 'fromjson? // empty'
}

# spool_tags DIR: the request tags (?r=TAG) of the spool's request events.
spool_tags() {
  spool_objects "$1" | jq -r 'select(.type == "request") | .request.path // ""' |
    sed -n 's/.*[?&]r=\([^&]*\).*/\1/p' | LC_ALL=C sort -u
}

# spool_ids DIR: every event id, one per line, as often as it appears.
spool_ids() {
  spool_objects "$1" | jq -r '.id // empty'
}

# missing_tags ANSWERED SPOOLED: tags in the first list, not in the second.
missing_tags() {
  LC_ALL=C comm -23 "$1" "$2"
}

# verify_spool NAME PATH: wardenctl audit verify with the agent's key;
# output in $OUT/NAME.verify, exit status in VERIFY_RC.
verify_spool() {
  local name=$1 path=$2
  VERIFY_RC=0
  "$WARDENCTL" audit verify --key "$STATE/audit.pub" "$path" >"$OUT/$name.verify" 2>&1 || VERIFY_RC=$?
  e2e_log "audit verify $path: exit $VERIFY_RC: $(head -n 2 "$OUT/$name.verify" | tr '\n' ' ')"
}
