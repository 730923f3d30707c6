# A CPU-bound workload for latency runs: S seconds of busy loops and process creation.
vlibos-busy 5
