# FPU state integrity (make test: slave-fpu-integrity-*): first vlibos-xsavecheck (are the XSAVE
# features CPUID offers right on this CPU?), then vlibos-fpucheck's processes keep known values
# in x87, SSE and AVX registers and compare them after every spin and system call, beside a busy
# process and rt-tests' cyclictest (dynamically linked, with its real-time threads preempting
# them). Options on the slave's command line (slave_append=vlibos.fpu_seed=2,...):
#   vlibos.fpu_seed=N (1)  vlibos.fpu_procs=N (3)  vlibos.fpu_rounds=N (30)
#   vlibos.cyclic_us=N (1000, cyclictest's interval)  vlibos.cyclic_ms=N (4000, how long it measures)
#   vlibos.busy_s=N (5)
seed=1 procs=3 rounds=30 cyclic_us=1000 cyclic_ms=4000 busy_s=5
for a in $(cat /proc/cmdline); do
    case "$a" in
        vlibos.fpu_seed=*) seed="${a#*=}" ;;
        vlibos.fpu_procs=*) procs="${a#*=}" ;;
        vlibos.fpu_rounds=*) rounds="${a#*=}" ;;
        vlibos.cyclic_us=*) cyclic_us="${a#*=}" ;;
        vlibos.cyclic_ms=*) cyclic_ms="${a#*=}" ;;
        vlibos.busy_s=*) busy_s="${a#*=}" ;;
    esac
done
vlibos-xsavecheck
export PATH=/bin:/usr/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
vlibos-busy "$busy_s" &
busy=$!
cyclictest -q -m -t 2 -p 80 -i "$cyclic_us" -l $((cyclic_ms * 1000 / cyclic_us)) &
cyclic=$!
vlibos-fpucheck procs="$procs" rounds="$rounds" spin=50000 seed="$seed"
wait $busy
wait $cyclic
echo "fpu: cyclictest exited with status $?"
