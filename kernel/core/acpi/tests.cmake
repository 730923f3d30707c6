# Host tests for kernel/core/acpi. The captured firmware tables in tests/data are found through
# ACPI_TEST_DATA. madt.cc is lab 2's student file: SOLVED decides which version is built.
set(_acpi_data "${CMAKE_SOURCE_DIR}/kernel/core/acpi/tests/data")

kit_host_test(acpi_tables_test LAB 2 SOURCES kernel/core/acpi/tests/tables_test.cc
              kernel/core/acpi/tables.cc kernel/core/result.cc)
target_compile_definitions(acpi_tables_test PRIVATE ACPI_TEST_DATA="${_acpi_data}")

kit_host_test(madt_test LAB 2 SOURCES kernel/core/acpi/tests/madt_test.cc kernel/core/acpi/madt.cc
              kernel/core/acpi/tables.cc kernel/core/result.cc)
target_compile_definitions(madt_test PRIVATE ACPI_TEST_DATA="${_acpi_data}")
