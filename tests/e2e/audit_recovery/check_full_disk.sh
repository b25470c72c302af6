# Scenarios full_block and full_drop: the spool's own disk (a 2 MiB tmpfs,
# so the disk and not max_mib is what fills) is filled with a filler file
# while wardend runs, then the filler is removed.

readonly kDiskSize=2m
readonly kLeaveBytes=24576  # room for a few dozen events once the filler is in

# check_full_block: on_full: block.
check_full_block() {
  local disk=$WORK/disk-block status refusals
  DISK_BLOCK_SPOOL=$disk/spool
  mount_disk "$disk" "$kDiskSize"
  start_wardend closed "$(spool_yaml "$DISK_BLOCK_SPOOL" 1 1024 block)"
  batch_requests fb-before fb 0 5
  e2e_check full_block "5 requests pass before the disk fills" test "$BATCH_OK" -eq 5

  fill_disk "$disk" "$kLeaveBytes"
  if requests_until_refused fb-full fb 10 400; then
    e2e_pass full_block "a request is refused with 503 once the disk is full (after $MADE requests)"
  else
    e2e_fail full_block "no request was refused in $MADE requests on a full disk"
  fi
  status=$(status_json)
  e2e_log "status while full: $(jq -c '.events' <<<"$status")"
  e2e_check full_block "status --json says the spool is full" test "$(jq -r '.events.full' <<<"$status")" = true
  refused_request fb-refused fb-refused
  if is_openai_unavailable fb-refused; then
    e2e_pass full_block "the refusal is a 503 in OpenAI's error format, code warden_unavailable"
  else
    e2e_fail full_block "the refusal is not OpenAI's 503 warden_unavailable: $(cat "$OUT/fb-refused.status") $(head -c 300 "$OUT/fb-refused.body")"
  fi
  batch_requests fb-still fb-still 0 5
  e2e_check full_block "still full: all 5 further requests are refused with 503" test "$BATCH_REFUSED" -eq 5

  rm -f "$disk/filler"
  if wait_status '.events.full == false' 10; then
    e2e_pass full_block "status says the spool has room again once the filler is gone"
  else
    e2e_fail full_block "the spool is still full 10 s after the filler was removed: $(status_json | jq -c .events)"
  fi
  batch_requests fb-after fb-after 0 10
  e2e_check full_block "all 10 requests pass again once there is room" test "$BATCH_OK" -eq 10
  e2e_wardend_ensure_alive full_block
  e2e_wardend_stop

  answered_tags "$OUT"/fb-*.out >"$OUT/fb-answered.tags"
  # The refused chat completion was answered too.
  [[ $(cat "$OUT/fb-refused.status") != 503 ]] || echo fb-refused >>"$OUT/fb-answered.tags"
  LC_ALL=C sort -u -o "$OUT/fb-answered.tags" "$OUT/fb-answered.tags"
  spool_tags "$DISK_BLOCK_SPOOL" >"$OUT/fb-spooled.tags"
  refusals=$(spool_objects "$DISK_BLOCK_SPOOL" | jq -c 'select(.type == "request" and .response.status == 503)' | wc -l)
  local missing
  missing=$(missing_tags "$OUT/fb-answered.tags" "$OUT/fb-spooled.tags")
  if [[ -z $missing ]]; then
    e2e_pass full_block "every one of $(wc -l <"$OUT/fb-answered.tags") answered requests (200 or 503) has its event in the spool ($refusals refusals among them)"
  else
    e2e_fail full_block "$(wc -l <<<"$missing") answered request(s) have no event in the spool: $(head -n 5 <<<"$missing" | tr '\n' ' ')"
  fi
  verify_spool fb "$DISK_BLOCK_SPOOL"
  e2e_check full_block "wardenctl audit verify passes on the spool after the full disk" test "$VERIFY_RC" -eq 0
  # Kept for the tampering scenario; the disk goes.
  cp -a "$DISK_BLOCK_SPOOL" "$WORK/spool-block-copy"
  umount_if_mounted "$disk"
}

# check_full_drop: on_full: drop.
check_full_drop() {
  local disk=$WORK/disk-drop spool status dropped lost
  spool=$disk/spool
  mount_disk "$disk" "$kDiskSize"
  start_wardend closed "$(spool_yaml "$spool" 1 1024 drop)"
  fill_disk "$disk" "$kLeaveBytes"
  batch_requests fd-full fd 0 80
  e2e_check full_drop "all 80 requests pass while the disk is full (drop policy)" test "$BATCH_OK" -eq 80
  status=$(status_json)
  e2e_log "status while full: $(jq -c '.events' <<<"$status")"
  dropped=$(jq -r '.events.dropped // 0' <<<"$status")
  e2e_check full_drop "status --json counts dropped events ($dropped)" test "$dropped" -gt 0
  e2e_check full_drop "status --json does not say full (nothing is refused)" test "$(jq -r '.events.full' <<<"$status")" = false

  rm -f "$disk/filler"
  # Events after the disk has room again carry the loss notice before them.
  sleep 0.5
  batch_requests fd-after fd-after 0 10
  e2e_check full_drop "all 10 requests pass once there is room" test "$BATCH_OK" -eq 10
  dropped=$(status_json | jq -r '.events.dropped // 0')
  e2e_wardend_ensure_alive full_drop
  e2e_wardend_stop
  spool_objects "$spool" | jq -c 'select(.type == "audit_loss")' >"$OUT/fd-loss.jsonl"
  lost=$(jq -s 'map(.lost.events) | add // 0' "$OUT/fd-loss.jsonl")
  e2e_log "audit_loss lines: $(jq -c '{lost, chain}' "$OUT/fd-loss.jsonl" | tr '\n' ' ')"
  e2e_check full_drop "an audit_loss line is in the spool once there is room" test -s "$OUT/fd-loss.jsonl"
  e2e_check full_drop "the audit_loss lines count every dropped event (lost $lost, status dropped $dropped)" \
    test "$lost" -eq "$dropped"
  local tags
  tags=$(spool_tags "$spool" | grep -c '^fd-after-' || true)
  e2e_check full_drop "the 10 requests made after room returned have their events ($tags)" test "$tags" -eq 10
  # A batch the disk refused is taken back whole (segment truncated, chain
  # rolled back): the trail has no cut line and no gap, the audit_loss line
  # says what is missing.
  verify_spool fd "$spool"
  e2e_check full_drop "wardenctl audit verify passes after dropped events ($(head -n 1 "$OUT/fd.verify"))" \
    test "$VERIFY_RC" -eq 0
  umount_if_mounted "$disk"
}
