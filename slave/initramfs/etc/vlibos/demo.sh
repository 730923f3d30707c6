# make demo: show that a real Linux userspace runs, then keep the CPU busy for a while so the
# master's latency summary covers a loaded slave.
echo "vlibos-slave: hello from $(uname -nrm); $(grep MemTotal /proc/meminfo | tr -s ' ')"
echo "vlibos-slave: $(ls /bin | wc -l) busybox commands, $(cat /proc/loadavg)"
vlibos-busy 2
