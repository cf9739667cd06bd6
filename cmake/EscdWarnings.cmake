# Warnings as an INTERFACE target every escd target links privately.
add_library(escd_warnings INTERFACE)
target_compile_options(escd_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
if(ESCD_WERROR)
    target_compile_options(escd_warnings INTERFACE -Werror)
endif()
# In a unity build every source file is included by the unit CMake makes, so g++ judges it as it
# would a header: a coroutine frame or a class holding a type of the file's anonymous namespace
# gets -Wsubobject-linkage, a warning of an ODR hazard across translation units that a source
# file cannot have (docs/decisions.md, "The test build is a unity build").
if(CMAKE_UNITY_BUILD)
    target_compile_options(escd_warnings INTERFACE -Wno-subobject-linkage)
endif()
