// The slave's programs, linked into one static binary (/bin/vlibos) that runs the program named
// by argv[0], like busybox: the initramfs holds a symlink per program (/bin/vlibos-attack ->
// vlibos). One copy of the static C library instead of one per program keeps the initramfs
// small, which Bochs rewards: GRUB reads every byte of it at boot.
#pragma once

int attack_main(int argc, char** argv); ///< vlibos-attack (vlibos_attack.cc)
int busy_main(int argc, char** argv);   ///< vlibos-busy (vlibos_busy.cc)
int cyclic_main(int argc, char** argv); ///< vlibos-cyclic (vlibos_cyclic.cc)
int fpucheck_main(int argc, char** argv); ///< vlibos-fpucheck (vlibos_fpucheck.cc)
int xsavecheck_main(int argc, char** argv); ///< vlibos-xsavecheck (vlibos_xsavecheck.cc)
int vlibosd_main(int argc, char** argv); ///< vlibosd, the delegation daemon (libos/daemon/vlibosd.cc)
