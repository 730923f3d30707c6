# Wakeup latency inside the slave (vlibos-cyclic, after cyclictest): idle, then next to a busy
# process, while the master measures its own with rtlat (tools/slave_bench.py).
vlibos-cyclic period_us=10000 loops=300
vlibos-busy 5 &
busy=$!
vlibos-cyclic period_us=10000 loops=300
# Only the busy process: init sources this script, so a bare `wait` would also wait for
# vlibosd, which init started in the background and which never ends.
wait "$busy"
