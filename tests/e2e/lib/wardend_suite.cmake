# warden_e2e_wardend_suite(NAME SCRIPT): registers a root, real-kernel suite
# that runs SCRIPT against the built wardend and wardenctl. It fails (never
# skips) when a precondition is missing: a green run must mean the kernel path
# was exercised. Serial: its timing checks need the CPU to itself, and it
# would only slow another kernel test down.
function(warden_e2e_wardend_suite name script)
  if(TARGET wardend AND TARGET wardenctl)
    add_test(NAME ${name}
      COMMAND bash ${script} --wardend $<TARGET_FILE:wardend> --wardenctl $<TARGET_FILE:wardenctl>)
  else()
    add_test(NAME ${name}
      COMMAND sh -c "echo '${name}: wardend and wardenctl must both be built targets' >&2; exit 1")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "e2e;root" TIMEOUT 300 RUN_SERIAL TRUE)
endfunction()
