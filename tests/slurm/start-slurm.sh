#!/usr/bin/env bash
# A throw-away one-node SLURM cluster on this machine, for tests/test_cluster.py and
# `make cluster` without a real cluster: Debian's slurm-wlm (22.05), no munge, no
# slurmdbd, every file under one state directory.
#
#   bash tests/slurm/start-slurm.sh        # installs slurm-wlm if missing, starts, waits
#   sinfo; make cluster CONFIG="config.yaml configs/tiny.yaml"   # or tests/test_cluster.py
#   bash tests/slurm/stop-slurm.sh         # stops the daemons by their pid files
#
# The configuration lives in the state directory; /etc/slurm/slurm.conf (the clients'
# default path) is made a symlink to it, because SLURM_CONF does not reach every client:
# the executor plugin's job step (snakemake-executor-plugin-slurm-jobstep 0.6.1) removes
# every SLURM_* variable but the job's id before it calls `srun` inside the job, and srun
# without a config file fails ("fetch_config: DNS SRV lookup failed"). An existing
# /etc/slurm/slurm.conf that is not this symlink is never touched: the script stops.
#
# Idempotent: a second start with both daemons alive only waits for the node to be idle.
# Environment: SIMBIAS_SLURM_DIR (state directory, default /tmp/simbias-slurm),
# SIMBIAS_SLURM_CTLD_PORT / SIMBIAS_SLURM_SLURMD_PORT (6817 / 6818),
# SIMBIAS_SLURM_WAIT (seconds to wait for the node, default 60).
# Needs root (slurmd starts jobs as their submitter; apt-get installs the package).
set -euo pipefail

STATE="${SIMBIAS_SLURM_DIR:-/tmp/simbias-slurm}"
CTLD_PORT="${SIMBIAS_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${SIMBIAS_SLURM_SLURMD_PORT:-6818}"
WAIT="${SIMBIAS_SLURM_WAIT:-60}"
CONF="$STATE/slurm.conf"
ETC_CONF=/etc/slurm/slurm.conf
NODE=localhost

die() {
    echo "start-slurm: error: $*" >&2
    exit 1
}
say() { echo "start-slurm: $*" >&2; }

[[ "$(id -u)" == 0 ]] || die "must run as root (slurmd runs jobs as their submitting user)"

# --- 1. The package.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null; then
    command -v apt-get >/dev/null || die "slurm-wlm is missing and there is no apt-get"
    say "installing Debian's slurm-wlm"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm \
        </dev/null; } >"${TMPDIR:-/tmp}/simbias-slurm-apt.log" 2>&1 \
        || die "apt-get install slurm-wlm failed; see ${TMPDIR:-/tmp}/simbias-slurm-apt.log"
fi
# /usr/sbin is not on every root PATH (e.g. `sudo -E`, some CI images).
export PATH="$PATH:/usr/sbin:/sbin"

# --- 2. The configuration (rewritten each time; the daemons read it when they start).
mkdir -p "$STATE"/{spool/slurmd,state,log}
CPUS="$(nproc)"
# 90% of the memory slurmd detects: a RealMemory above the real one drains the node.
DETECTED_MB="$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
[[ -n "$DETECTED_MB" ]] || DETECTED_MB="$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)"
MEM_MB=$((DETECTED_MB * 9 / 10))

cat >"$CONF.new" <<EOF
# Written by tests/slurm/start-slurm.sh: one node, no munge, no accounting database.
ClusterName=simbias
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
# No munge daemon: trust every local connection (a test cluster only).
AuthType=auth/none
CredType=cred/none
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
ReturnToService=2
# Cores and memory are consumable (CR_Core_Memory) and a job without --mem gets
# DefMemPerCPU: otherwise every job takes the whole node and jobs run one at a time.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
# No slurmdbd: the executor plugin must use squeue (slurm-status-command), which sees a
# finished job only for MinJobAge seconds (keep >= 3 x slurm-init-seconds-before-status-checks).
MinJobAge=300
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# scancel: SIGTERM, then SIGKILL after KillWait seconds (default 30).
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# The machine's hostname is not 'localhost': slurmd is started with -N $NODE.
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
mv "$CONF.new" "$CONF"
if [[ -L "$ETC_CONF" && "$(readlink "$ETC_CONF")" == "$CONF" ]]; then
    : # ours, from an earlier start
elif [[ -e "$ETC_CONF" || -L "$ETC_CONF" ]]; then
    die "$ETC_CONF exists and is not a link to $CONF: this machine has its own SLURM" \
        "configuration; not touching it (use that cluster, or move the file away)"
else
    mkdir -p "$(dirname "$ETC_CONF")"
    ln -s "$CONF" "$ETC_CONF"
fi
unset SLURM_CONF

# --- 3. The daemons (each only if its pid file names a live process of that name).
alive() { # alive NAME PIDFILE
    local pid
    [[ -s "$2" ]] || return 1
    pid="$(cat "$2")"
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1" ]]
}

if alive slurmctld "$STATE/slurmctld.pid"; then
    say "slurmctld already running (pid $(cat "$STATE/slurmctld.pid"))"
else
    rm -f "$STATE/slurmctld.pid"
    say "starting slurmctld"
    # -c: forget jobs of an earlier session (a test cluster keeps no state across starts).
    slurmctld -c -f "$CONF" || die "slurmctld did not start; see $STATE/log/slurmctld.log"
fi
if alive slurmd "$STATE/slurmd.pid"; then
    say "slurmd already running (pid $(cat "$STATE/slurmd.pid"))"
else
    rm -f "$STATE/slurmd.pid"
    say "starting slurmd -N $NODE"
    slurmd -N "$NODE" -f "$CONF" || die "slurmd did not start; see $STATE/log/slurmd.log"
fi

# --- 4. Wait for the node to take jobs.
state=""
for ((i = 0; i < WAIT * 2; i++)); do
    state="$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1 || true)"
    case "$state" in
    idle | mixed | allocated) break ;;
    down* | drain* | fail*)
        # A node that was down in an earlier life comes back with ReturnToService=2;
        # nudge it once a while in case it does not.
        ((i % 10 == 9)) && scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
        ;;
    esac
    sleep 0.5
done
case "$state" in
idle | mixed | allocated) ;;
*)
    echo "--- $STATE/log/slurmctld.log (tail)" >&2
    tail -n 20 "$STATE/log/slurmctld.log" >&2 || true
    echo "--- $STATE/log/slurmd.log (tail)" >&2
    tail -n 20 "$STATE/log/slurmd.log" >&2 || true
    die "node $NODE is '${state:-not reported}' after ${WAIT}s (wanted idle); stop with tests/slurm/stop-slurm.sh"
    ;;
esac
say "node $NODE is $state ($CPUS CPUs, ${MEM_MB} MB; $ETC_CONF -> $CONF)"
