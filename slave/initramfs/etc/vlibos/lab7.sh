# Lab 7's grading run: attacks first (each must get nothing and be reported by the master),
# then a busy workload while the master's rtlat keeps measuring.
vlibos-attack ipi
vlibos-attack msr
vlibos-attack devmem
vlibos-busy 2
