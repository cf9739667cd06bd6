# ASan + UBSan for the test build (tests/run.sh turns this on). Applied globally so that
# every object, including the separately compiled Asio/Beast, shares one instrumentation.
if(ESCD_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
