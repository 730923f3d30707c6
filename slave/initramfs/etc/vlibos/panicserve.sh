# A slave that fails and comes back: the first boot ends init at once (Linux panics: "Attempted
# to kill init!"); with slave_restarts=1 the master boots Linux again, which then serves (serve.sh).
if [ "$boot" = 1 ]; then
    echo "vlibos-slave: ending init on purpose: Linux will panic"
    exit 1
fi
. /etc/vlibos/serve.sh
