# ML-KEM constant-time check (docs/mlkem.md): rerun the [ct] cases under valgrind memcheck with
# the secret key marked undefined; any secret-dependent branch or index fails the test.
# Skipped when valgrind is missing or the build is sanitized (ASan and valgrind do not mix).
find_program(PPX_VALGRIND valgrind)
if(PPX_VALGRIND AND NOT PPX_SANITIZE)
  add_test(NAME mlkem_ct_valgrind COMMAND ${PPX_VALGRIND} -q --error-exitcode=1 $<TARGET_FILE:${target}> "[ct]")
  set_tests_properties(mlkem_ct_valgrind PROPERTIES TIMEOUT 600)
endif()
