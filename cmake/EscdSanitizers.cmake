# ASan + UBSan for the test build (tests/run.sh turns this on). Applied globally so that
# every object, including the separately compiled Asio/Beast, shares one instrumentation.
if(ESCD_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
    # Not position-independent: the sanitizers' static data (UBSan's type descriptors and source
    # locations, ASan's global metadata) makes escd a PIE with ~5 million relocations (128 MB
    # of .rela.dyn) that the loader applies at every start, touching ~200 MB: `escd --help`
    # took 1.3 s of CPU with them, 0.6 s without (perf stat). Every test starts its own test
    # process and an escd, so that was paid hundreds of times a run.
    add_link_options(-no-pie)
endif()
