# Warnings as an INTERFACE target every escd target links privately.
add_library(escd_warnings INTERFACE)
target_compile_options(escd_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
if(ESCD_WERROR)
    target_compile_options(escd_warnings INTERFACE -Werror)
endif()
