# Serve the master's delegated calls (vlibosd, started by init) until the master stops Linux:
# the master does so once its applications have ended.
echo "vlibos-slave: hello from $(uname -nrm); $(grep MemTotal /proc/meminfo | tr -s ' ')"
echo "vlibos-slave: serving the master"
while true; do
    sleep 3600
done
