#!/bin/sh
# Installed in the VM image as /usr/local/sbin/sevm-boot and run once at boot by sevm.service
# (see scripts/vm/image.mjs). Reads the run's input (a tar of the project checkout, the host's
# Node binary and .vm-run/config.json) from the second disk, runs scripts/vm/guest.mjs from that
# checkout, writes a tar of the results to the third disk and powers the VM off.
# Lines starting with "SEVM:" on the serial console are read by scripts/test-cgroup2.mjs.
exec >/dev/ttyS0 2>&1
set -u
up() { cut -d' ' -f1 /proc/uptime; }
echo "SEVM: guest up at $(up) s (kernel $(uname -r))"
out=/var/lib/sevm/results
project=/srv/se-widgets
mkdir -p "$out" "$project"
chmod 0755 /var/lib/sevm "$out" /srv "$project"
if tar -xf /dev/vdb -C "$project" --numeric-owner; then
  install -m 0755 "$project/.vm-run/node" /usr/bin/node
  rm -f "$project/.vm-run/node"
  echo "SEVM: input unpacked at $(up) s"
  /usr/bin/node "$project/scripts/vm/guest.mjs" "$project/.vm-run/config.json" "$out"
  echo "SEVM: guest runner exited with $? at $(up) s"
else
  echo "SEVM: ERROR: could not unpack the input disk /dev/vdb"
  echo "could not unpack the input disk /dev/vdb" >"$out/boot-error.txt"
fi
journalctl -b --no-pager >"$out/journal.txt" 2>&1
dmesg >"$out/dmesg.txt" 2>&1
if tar -cf /dev/vdc -C "$out" . && sync; then
  echo "SEVM: results written at $(up) s"
else
  echo "SEVM: ERROR: could not write the results disk /dev/vdc"
fi
echo "SEVM: powering off"
systemctl poweroff --force --force
