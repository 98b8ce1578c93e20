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
