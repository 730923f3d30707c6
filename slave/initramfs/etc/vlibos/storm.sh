# A doorbell storm (against the I/O VCPU, kernel/sched/io_vcpu.h): ring the master's doorbell 50,000 times while rtlat
# measures on CPU 0, then serve as usual until the master stops Linux.
sleep 1
vlibos-attack doorbell 50000
echo "vlibos-slave: serving the master"
while true; do
    sleep 3600
done
