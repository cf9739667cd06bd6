# Precompiled headers. Asio, Beast and their SSL parts (common/asio.hpp) cost about 10 s of CPU to
# parse in every translation unit that includes them (most of escd's): a third or more of what
# a sanitizer build of one costs. libpqxx, pugixml, Boost.JSON and GoogleTest add a few seconds.
# They are parsed once into escd_pch (for the libraries and escd) and escd_test_pch (for the
# tests), whose precompiled headers the other targets reuse: their compile flags are the same
# (the sanitizer options and the language standard are global), and the macros only some targets
# define (ESCD_BINARY_PATH...) appear in none of these headers.
#
# Default: on, unless a compiler launcher (ccache) is set. A precompiled header holds the
# absolute paths of its build tree, so with one no object would be shared between worktrees
# through the cache; and with ccache a rebuild is fast anyway.
if(CMAKE_CXX_COMPILER_LAUNCHER)
    set(ESCD_PCH_DEFAULT OFF)
else()
    set(ESCD_PCH_DEFAULT ON)
endif()
option(ESCD_PCH "Precompile the heavy third-party headers" ${ESCD_PCH_DEFAULT})

set(ESCD_PCH_HEADERS
    <algorithm> <chrono> <filesystem> <functional> <map> <memory> <optional> <set> <string>
    <string_view> <vector>
    "${PROJECT_SOURCE_DIR}/common/asio.hpp" <boost/json.hpp> <pqxx/pqxx> <pugixml.hpp>)

# Target `name`, whose precompiled header holds ESCD_PCH_HEADERS and `ARGN` (more headers), built
# with the usage requirements of `LIBRARIES` (a list).
function(escd_add_pch name libraries)
    if(NOT ESCD_PCH)
        return()
    endif()
    # Its only source is empty: the precompiled header is what it is for.
    set(anchor ${CMAKE_CURRENT_BINARY_DIR}/${name}_anchor.cpp)
    # CONFIGURE writes only when the content changes: a rewrite at every configure would make
    # the precompiled header, and so every object, stale after any CMake change.
    file(CONFIGURE OUTPUT ${anchor}
         CONTENT "// The translation unit ${name}'s precompiled header belongs to.\n")
    add_library(${name} STATIC ${anchor})
    target_link_libraries(${name} PRIVATE ${libraries} escd_warnings)
    target_precompile_headers(${name} PRIVATE ${ESCD_PCH_HEADERS} ${ARGN})
endfunction()

# Makes `target` reuse the precompiled header of `pch` (made by escd_add_pch). `ARGN`: sources to
# parse on their own (those compiling a library's implementation, whose configuration macros must
# come before its headers).
function(escd_use_pch target pch)
    if(NOT ESCD_PCH)
        return()
    endif()
    target_precompile_headers(${target} REUSE_FROM ${pch})
    if(ARGN)
        set_source_files_properties(${ARGN} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
endfunction()
