# Per-target compiler settings, so nothing leaks through global CMAKE_CXX_FLAGS.

# -Wconversion catches narrowing that silently loses value (64-bit counts into doubles
# or ints, ints into chars). Signed/unsigned mixing (-Wsign-conversion, which GCC leaves
# out of -Wconversion for C++ and clang puts in) stays off: nearly every hit would be an
# index compared with a size() or a POSIX call's ssize_t, and the casts would bury the
# real findings.
function(mgw_enable_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
    -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(MGW_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(mgw_enable_sanitizers target)
  if(MGW_SANITIZE)
    string(REPLACE ";" "," _san "${MGW_SANITIZE}")
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-sanitize-recover=all
                                              -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${_san})
  endif()
endfunction()

# mgw_layer(NAME layer [DEPENDS lower layers...] SOURCES ... [LIBS third-party...]):
# the static library mgw_<layer> (alias mgw::<layer>) from src/<layer>/. Its public
# headers are include/mgw/<layer>/, its private ones sit beside its sources and are
# included as "<layer>/x.h". DEPENDS names the layers it may use (and, through them,
# theirs); it is recorded in the global property MGW_LAYERS ("layer=dep,dep"), which
# the layers test holds every #include against.
function(mgw_layer)
  cmake_parse_arguments(A "" "NAME" "DEPENDS;SOURCES;LIBS" ${ARGN})
  set(target mgw_${A_NAME})
  add_library(${target} STATIC ${A_SOURCES})
  add_library(mgw::${A_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                       PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_20)
  list(TRANSFORM A_DEPENDS PREPEND mgw_ OUTPUT_VARIABLE dep_targets)
  target_link_libraries(${target} PUBLIC ${dep_targets} ${A_LIBS})
  mgw_enable_warnings(${target})
  mgw_enable_sanitizers(${target})
  list(JOIN A_DEPENDS "," deps)
  set_property(GLOBAL APPEND PROPERTY MGW_LAYERS "${A_NAME}=${deps}")
endfunction()

# mgw_test(NAME module_test [SOURCES ...] LIBS ...): one GoogleTest binary per module,
# from <name>.cpp in the calling directory unless SOURCES says otherwise.
function(mgw_test)
  cmake_parse_arguments(A "" "NAME" "SOURCES;LIBS" ${ARGN})
  if(NOT A_SOURCES)
    set(A_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${A_NAME}.cpp)
  endif()
  add_executable(${A_NAME} ${A_SOURCES})
  # Tests may include a layer's private headers ("<layer>/x.h") and test/support.
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/test ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${A_NAME} PRIVATE ${A_LIBS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${A_NAME} PRIVATE
    MGW_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MGW_BINARY_DIR="${PROJECT_BINARY_DIR}")
  mgw_enable_warnings(${A_NAME})
  mgw_enable_sanitizers(${A_NAME})
  gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endfunction()

# mgw_fuzz_seed_test(NAME name LIBS ... [SOURCES ...] [CORPORA dir...]): links the
# fuzz target fuzz/<name>_fuzzer.cpp (or SOURCES) with the plain corpus runner
# instead of libFuzzer, and registers a CTest test feeding it every file of
# fuzz/corpus/<name>/ (or CORPORA). Needs neither clang nor libFuzzer.
function(mgw_fuzz_seed_test)
  cmake_parse_arguments(A "" "NAME" "SOURCES;LIBS;CORPORA" ${ARGN})
  if(NOT A_SOURCES)
    set(A_SOURCES ${PROJECT_SOURCE_DIR}/fuzz/${A_NAME}_fuzzer.cpp)
  endif()
  if(NOT A_CORPORA)
    set(A_CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/${A_NAME})
  endif()
  set(target ${A_NAME}_fuzz_seeds)
  add_executable(${target} ${A_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/corpus_runner.cpp)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${A_LIBS})
  mgw_enable_warnings(${target})
  mgw_enable_sanitizers(${target})
  add_test(NAME ${target} COMMAND ${target} ${A_CORPORA})
  set_tests_properties(${target} PROPERTIES TIMEOUT 120)
endfunction()
