# Builds a policy of the project with shellc and writes its bundle into a C++ source, as a
# string the runtime reads with its own strict reader (runtime/egress/proxy_process.cpp).
# cmake -DSHELLC=... -DPOLICY=... -DBUNDLE=... -DOUTPUT=... -DSYMBOL=... -P embed_bundle.cmake
# The policy's asserts and tests are checked first (`shellc build` does not prove them): the
# build fails where one does not hold. The proxy's policy has no execve by design: shellc's
# warning that nothing can start under it is expected, so the build shows only errors.
execute_process(COMMAND ${SHELLC} check ${POLICY}
                RESULT_VARIABLE status ERROR_VARIABLE diagnostics OUTPUT_VARIABLE diagnostics)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "shellc check ${POLICY} failed:\n${diagnostics}")
endif()
execute_process(COMMAND ${SHELLC} build ${POLICY} -o ${BUNDLE}
                RESULT_VARIABLE status ERROR_VARIABLE diagnostics OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "shellc build ${POLICY} failed:\n${diagnostics}")
endif()
file(READ ${BUNDLE} text)
# Without its indentation (JSON strings hold no raw newline, so nothing inside one changes).
string(REGEX REPLACE "\n *" "" text "${text}")
file(WRITE ${OUTPUT} "// Generated from ${POLICY} by cmake/embed_bundle.cmake: do not edit.\n"
                     "extern const char ${SYMBOL}[];\n"
                     "const char ${SYMBOL}[] = R\"bundle(${text})bundle\";\n")
