# Writes OUTPUT, a header with the git commit ocirt is built from (kCommit),
# for --version and `features`. Run at every build; the file is only rewritten
# when the commit changes, so nothing recompiles otherwise. Outside a git
# checkout (a release tarball) the commit is empty and not printed.
find_package(Git QUIET)
set(commit "")
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    set(commit "")
  endif()
endif()
set(content "#pragma once
// Generated at build time by cmake/commit.cmake.
namespace ocirt {
inline constexpr const char* kCommit = \"${commit}\";
}  // namespace ocirt
")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
