# An SMP slave (slave_cpus=N): which CPUs Linux brought up, in its own words, then work on all
# of them at once (busy processes on every CPU, which need IPIs between them to be scheduled and
# to reclaim memory), then the count again.
n=$(grep -c '^processor' /proc/cpuinfo)
echo "vlibos-smp: processors=$n online=$(cat /sys/devices/system/cpu/online)"
i=0
pids=""
while [ "$i" -lt "$n" ]; do
    vlibos-busy 2 >/dev/null &
    pids="$pids $!"
    i=$((i + 1))
done
wait $pids # not a bare wait: init's other children (vlibosd) never end
echo "vlibos-smp: after work on every CPU: processors=$(grep -c '^processor' /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
