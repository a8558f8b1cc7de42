#!/usr/bin/env bash
# Install the Slurm daemons/clients and munge needed by local-cluster.sh.
# Idempotent; never fails (exit 0) so CI can skip Slurm tests when it cannot install.
set -euo pipefail

# Smallest Debian set giving slurmctld, slurmd, sbatch/squeue/scancel/sacct/sinfo and munged.
PKGS=(slurmctld slurmd slurm-client munge)

have_all() {
  local c
  for c in sbatch squeue scancel sacct sinfo slurmctld slurmd munged; do
    command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null 2>&1 || return 1
  done
}

if have_all; then
  echo "install.sh: slurm and munge already installed; nothing to do"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install.sh: cannot install slurm (not root and no passwordless sudo); Slurm tests will be skipped"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install.sh: cannot install slurm (apt-get not found); Slurm tests will be skipped"
  exit 0
fi

echo "install.sh: installing ${PKGS[*]} with apt-get"
# policy-rc.d exit 101 keeps the packages from starting system munge/slurm services
# (we run our own instances); removed again afterwards unless it already existed.
POLICY=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  made_policy=1
fi
rc=0
{ "${SUDO[@]}" apt-get update -qq &&
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PKGS[@]}"; } || rc=$?
[ "$made_policy" -eq 1 ] && "${SUDO[@]}" rm -f "$POLICY"

if [ "$rc" -ne 0 ] || ! have_all; then
  echo "install.sh: apt-get install of ${PKGS[*]} failed (rc=$rc); Slurm tests will be skipped"
  exit 0
fi
echo "install.sh: installed $(dpkg-query -W -f='${Package} ${Version}, ' "${PKGS[@]}" | sed 's/, $//')"
