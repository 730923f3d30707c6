#!/usr/bin/env bash
# Install the Debian packages a target needs, if they are missing.
#   tools/setup.sh base|emu|docs|linux|slave|all   (slave: a prebuilt slave kernel, no Linux build)
# As root it runs apt-get itself; otherwise it prints the one command to run and fails.
set -euo pipefail

base="g++ make cmake python3 catch2 grub-common grub-pc-bin xorriso mtools ccache clang-14 libclang-rt-14-dev clang-format-14"
# bubblewrap: the autograder's sandbox for students' builds and tests (autograder/sandbox.py).
emu="qemu-system-x86 bochs bochs-sdl bochsbios vgabios grub-efi-amd64-bin ovmf gdb bubblewrap"
docs="doxygen"
# The Linux slave: Debian's kernel source, what building it needs, and busybox for its initramfs.
linux="linux-source-6.1 flex bison libelf-dev libssl-dev cpio bc busybox-static rt-tests"
# The slave with a prebuilt kernel (slave/prebuilt/bzImage of a student release): its initramfs.
slave="cpio busybox-static rt-tests"

case "${1:-all}" in
  base) want="$base" ;;
  emu) want="$base $emu" ;;
  docs) want="$docs" ;;
  linux) want="$base $linux" ;;
  slave) want="$base $slave" ;;
  all) want="$base $emu $docs $linux" ;;
  *) echo "usage: $0 base|emu|docs|linux|slave|all" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "setup: missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
  echo "setup: run this once, then try again:"
  echo "    sudo apt-get install -y$missing"
  exit 1
fi
echo "setup: installing them (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done"
