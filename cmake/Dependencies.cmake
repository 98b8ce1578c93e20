# Debian 12 packages (scripts/setup.sh installs them). LLVM Support is linked statically:
# libLLVM-14.so costs ~13 ms at every process start, the archives ~1 ms, and `shellc check`
# runs on every commit.
find_package(antlr4-runtime REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)

set(LLVM_ROOT /usr/lib/llvm-14 CACHE PATH "LLVM 14 prefix")
add_library(llvm_support INTERFACE)
target_include_directories(llvm_support SYSTEM INTERFACE ${LLVM_ROOT}/include)
target_link_libraries(llvm_support INTERFACE
  ${LLVM_ROOT}/lib/libLLVMSupport.a ${LLVM_ROOT}/lib/libLLVMDemangle.a z tinfo pthread)
# clang before 15, in C++20 mode with libstdc++ 12, rejects LLVM 14's JSON.h: json::Array's
# members use std::vector<Value>'s (constexpr since C++20, so clang instantiates them there)
# before Value is complete. Clang builds (the fuzz build) read a copy of the header with those
# members defined after Value, where LLVM 15 defines them.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(json_fix ${CMAKE_BINARY_DIR}/llvm-json-fix)
  file(MAKE_DIRECTORY ${json_fix}/llvm/Support)
  execute_process(COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/cmake/clang14_json.py
                          ${LLVM_ROOT}/include/llvm/Support/JSON.h ${json_fix}/llvm/Support/JSON.h
                  COMMAND_ERROR_IS_FATAL ANY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/clang14_json.py)
  target_include_directories(llvm_support SYSTEM BEFORE INTERFACE ${json_fix})
endif()

find_library(SECCOMP_LIBRARY NAMES libseccomp.a seccomp REQUIRED)
find_path(SECCOMP_INCLUDE seccomp.h REQUIRED)
add_library(libseccomp INTERFACE)
target_include_directories(libseccomp SYSTEM INTERFACE ${SECCOMP_INCLUDE})
target_link_libraries(libseccomp INTERFACE ${SECCOMP_LIBRARY})

# yaml-cpp, for `shellc import openshell`; linked statically for the reason above when the
# archive is there (libyaml-cpp-dev ships it).
find_package(yaml-cpp REQUIRED)
find_library(YAML_CPP_ARCHIVE NAMES libyaml-cpp.a)
add_library(yaml_cpp INTERFACE)
if(YAML_CPP_ARCHIVE)
  target_link_libraries(yaml_cpp INTERFACE ${YAML_CPP_ARCHIVE})
else()
  target_link_libraries(yaml_cpp INTERFACE yaml-cpp)
endif()

find_package(CLI11 CONFIG QUIET)
if(NOT TARGET CLI11::CLI11)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
endif()

find_program(LIT_TOOL NAMES lit lit.py PATHS ${LLVM_ROOT}/build/utils/lit NO_DEFAULT_PATH)
find_program(FILECHECK_TOOL FileCheck PATHS ${LLVM_ROOT}/bin NO_DEFAULT_PATH)

# gen_constants.sh evaluates header constants for x86_64 and aarch64 with clang (the arm64
# headers come from Debian's libc6-dev-arm64-cross and linux-libc-dev-arm64-cross).
find_program(CLANG_TOOL NAMES clang clang-14 REQUIRED)
