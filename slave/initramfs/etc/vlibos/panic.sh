# Slave restart: the first boot kills init (Linux panics: "Attempted to kill init!"); the master
# reports the panic and, with slave_restarts=1, boots Linux again, which then ends normally.
if [ "$boot" = 1 ]; then
    echo "vlibos-slave: ending init on purpose: Linux will panic"
    exit 1
fi
echo "vlibos-slave: boot $boot after a panic: fine"
