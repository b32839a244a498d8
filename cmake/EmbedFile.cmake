# Script mode: writes OUTPUT, a C++ file defining `const char* FUNCTION()` that returns the
# contents of INPUT, so documents such as the default suite are compiled into the binary.
file(READ ${INPUT} content)
set(delimiter "gs_embed")
file(WRITE ${OUTPUT} "// Generated from ${INPUT_NAME} by cmake/EmbedFile.cmake; do not edit.\n"
     "namespace gpushare {\nconst char* ${FUNCTION}() {\n  return R\"${delimiter}(${content})${delimiter}\";\n}\n}  // namespace gpushare\n")
