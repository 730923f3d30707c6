# Host tests for the ELF loader. Besides synthetic files, the test parses and loads real static
# executables built here from tests/data/static_fixture.cc with the host compiler (x86-64):
#   elf_fixture      -static -no-pie: what the loader must accept (ET_EXEC)
#   elf_fixture_pie  -static-pie: what it must refuse (ET_DYN with PT_DYNAMIC)
# plus elf_fixture_symbols.h with the fixture's symbol addresses from nm.
set(_elf_dir ${CMAKE_BINARY_DIR}/elf-fixtures)
set(_elf_src ${CMAKE_CURRENT_LIST_DIR}/tests/data/static_fixture.cc)
set(_elf_flags -O2 -ffreestanding -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables
    -fno-stack-protector -fcf-protection=none -nostdlib -Wl,--build-id=none -Wl,-z,noexecstack)
if(CMAKE_NM)
    set(_elf_nm ${CMAKE_NM})
else()
    set(_elf_nm nm)
endif()
add_custom_command(
    OUTPUT ${_elf_dir}/elf_fixture ${_elf_dir}/elf_fixture_symbols.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_elf_dir}
    COMMAND ${CMAKE_CXX_COMPILER} ${_elf_flags} -static -no-pie -fno-pie -o ${_elf_dir}/elf_fixture ${_elf_src}
    COMMAND ${CMAKE_COMMAND} -DNM=${_elf_nm} -DELF=${_elf_dir}/elf_fixture
            -DOUT=${_elf_dir}/elf_fixture_symbols.h -P ${CMAKE_CURRENT_LIST_DIR}/tests/data/gen_symbols.cmake
    DEPENDS ${_elf_src} ${CMAKE_CURRENT_LIST_DIR}/tests/data/gen_symbols.cmake
    COMMENT "Building the static ELF test fixture"
    VERBATIM)
add_custom_command(
    OUTPUT ${_elf_dir}/elf_fixture_pie
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_elf_dir}
    COMMAND ${CMAKE_CXX_COMPILER} ${_elf_flags} -static-pie -fpie -o ${_elf_dir}/elf_fixture_pie ${_elf_src}
    DEPENDS ${_elf_src}
    COMMENT "Building the static-pie ELF test fixture"
    VERBATIM)

kit_host_test(elf_loader_test LAB 3 SOURCES kernel/core/elf/tests/elf_loader_test.cc
              kernel/core/elf/tests/elf_malformed_test.cc kernel/core/elf/elf_loader.cc
              kernel/core/result.cc)
target_sources(elf_loader_test PRIVATE ${_elf_dir}/elf_fixture_symbols.h ${_elf_dir}/elf_fixture_pie)
target_include_directories(elf_loader_test PRIVATE ${_elf_dir})
target_compile_definitions(elf_loader_test PRIVATE ELF_FIXTURE="${_elf_dir}/elf_fixture"
                           ELF_FIXTURE_PIE="${_elf_dir}/elf_fixture_pie")
