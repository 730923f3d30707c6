// The slave's programs, linked into one static binary (/bin/vlibos) that runs the program named
// by argv[0], like busybox: the initramfs holds a symlink per program (/bin/vlibos-attack ->
// vlibos). One copy of the static C library instead of one per program keeps the initramfs
// small, which Bochs rewards: GRUB reads every byte of it at boot.
#pragma once

#include <cstdlib>
#include <cstring>

/// The value of a `key=N` argument, or @p fallback if there is none.
inline long program_arg(int argc, char** argv, const char* key, long fallback) {
    size_t n = std::strlen(key);
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            return std::atol(argv[i] + n + 1);
    return fallback;
}

int attack_main(int argc, char** argv);     ///< vlibos-attack (vlibos_attack.cc)
int busy_main(int argc, char** argv);       ///< vlibos-busy (vlibos_busy.cc)
int cyclic_main(int argc, char** argv);     ///< vlibos-cyclic (vlibos_cyclic.cc)
int fpucheck_main(int argc, char** argv);   ///< vlibos-fpucheck (vlibos_fpucheck.cc)
int xsavecheck_main(int argc, char** argv); ///< vlibos-xsavecheck (vlibos_xsavecheck.cc)
int vlibosd_main(int argc,
                 char** argv); ///< vlibosd, the delegation daemon (libos/daemon/vlibosd.cc)
