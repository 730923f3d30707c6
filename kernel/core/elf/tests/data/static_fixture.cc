// A minimal static executable for the ELF loader tests: no libc, no PIE, no interpreter.
// tests.cmake links it with `-static -nostdlib -no-pie`, so it has the shape of a master
// application: a read-only segment, an R+X text segment and an R+W segment whose .data is
// followed by a .bss. The test finds these symbols' addresses with nm and checks the bytes the
// loader put there. It never runs.

extern "C" {

/// In .rodata: the loader must copy it to its link address.
extern const char fixture_text[];
const char fixture_text[] = "vlibos elf fixture";

/// In .data: file-backed bytes of the writable segment.
volatile unsigned long fixture_data[4] = {0x1122334455667788ul, 0x99aabbccddeeff00ul, 1, 2};

/// In .bss: 8 KiB that must read as zero after loading.
volatile unsigned long fixture_bss[1024];

/// The entry point: spins, touching every section so none is discarded.
[[noreturn]] void _start() {
    for (;;)
        fixture_bss[fixture_data[2] & 1023] = fixture_data[0] + fixture_text[0];
}
}
