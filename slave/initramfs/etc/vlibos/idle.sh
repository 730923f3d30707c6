# For measurements (tools/slave_bench.py): an idle userspace for vlibos.idle seconds (default 5),
# so that the VM exits an idle Linux takes per second can be counted.
secs=5
for arg in $(cat /proc/cmdline); do
    case "$arg" in vlibos.idle=*) secs="${arg#vlibos.idle=}" ;; esac
done
sleep "$secs"
