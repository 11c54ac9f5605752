#!/usr/bin/env bash
# Stops the one-node SLURM cluster of tests/slurm/start-slurm.sh: cancels its jobs, then
# stops slurmd and slurmctld by the PIDs in their pid files (never by name), and removes
# the /etc/slurm/slurm.conf link start-slurm.sh made (only that link). Idempotent:
# daemons that are not running are skipped. Environment: SIMBIAS_SLURM_DIR (default
# /tmp/simbias-slurm), the state directory start-slurm.sh used.
set -uo pipefail

STATE="${SIMBIAS_SLURM_DIR:-/tmp/simbias-slurm}"
CONF="$STATE/slurm.conf"
ETC_CONF=/etc/slurm/slurm.conf
export PATH="$PATH:/usr/sbin:/sbin"
say() { echo "stop-slurm: $*" >&2; }

if [[ ! -d "$STATE" ]]; then
    say "no state directory $STATE: nothing to stop"
    exit 0
fi

alive() { # alive NAME PID
    [[ "$2" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$2/comm" 2>/dev/null)" == "$1" ]]
}

# Jobs first: a job's processes belong to slurmstepd, which outlives slurmd.
if [[ -f "$CONF" ]] && command -v squeue >/dev/null; then
    export SLURM_CONF="$CONF"
    jobs="$(timeout 10 squeue -h -o %i 2>/dev/null || true)"
    if [[ -n "$jobs" ]]; then
        say "cancelling jobs: $(echo $jobs)"
        # shellcheck disable=SC2086
        timeout 10 scancel $jobs 2>/dev/null || true
        for _ in $(seq 1 40); do
            [[ -z "$(timeout 5 squeue -h -t R,CG,PD -o %i 2>/dev/null || true)" ]] && break
            sleep 0.5
        done
    fi
fi

status=0
for daemon in slurmd slurmctld; do
    pidfile="$STATE/$daemon.pid"
    if [[ ! -s "$pidfile" ]]; then
        say "$daemon: no pid file, not running"
        continue
    fi
    pid="$(cat "$pidfile")"
    if ! alive "$daemon" "$pid"; then
        say "$daemon: pid $pid from $pidfile is not running"
        rm -f "$pidfile"
        continue
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 40); do
        alive "$daemon" "$pid" || break
        sleep 0.25
    done
    if alive "$daemon" "$pid"; then
        say "$daemon (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    if alive "$daemon" "$pid"; then
        say "error: $daemon (pid $pid) is still running"
        status=1
    else
        say "$daemon (pid $pid) stopped"
        rm -f "$pidfile"
    fi
done
if ((status == 0)) && [[ -L "$ETC_CONF" && "$(readlink "$ETC_CONF")" == "$CONF" ]]; then
    rm -f "$ETC_CONF"
    say "removed the link $ETC_CONF -> $CONF"
fi
exit $status
