#!/usr/bin/env bash
# DNS baseline: dnsmasq serving NAMES A records (--addn-hosts) on ADDR:PORT,
# loaded with dnsperf; plus single-query RTT (dig and a raw-UDP Python probe).
# scripts/bench_dns.py runs it twice (the agent, then dnsmasq). A copy of the anchor
# measurement's dns_bench.sh: the same runs and the same summary.tsv; its Python helpers
# (wait-quiet, sys-cpu, the UDP probe) are subcommands of scripts/harness.py.
#
# Parameters (environment variables):
#   ADDR=127.0.0.1  PORT=5353     server address/port (loopback only)
#   NAMES=1000                    number of A records / query names
#   ZONE=anchor.test              names are host<i>.$ZONE
#   DURATION=15                   seconds per dnsperf run
#   START_SERVER=1                0 = do not start dnsmasq; measure whatever
#                                 already serves ADDR:PORT (e.g. the new
#                                 project's agent; then give QUERYFILE too)
#   QUERYFILE=...                 dnsperf query file ("name A" lines); by
#                                 default generated to match the hosts file
#   SERVER_PID=...                with START_SERVER=0: PID whose CPU to sample
#   RUNS="label|dnsperf args;..." dnsperf variations (default list below)
#   DIG_COUNT=201  RTT_COUNT=5000
#   OUTDIR=.cluster/peers/dns     raw outputs + summary.tsv
# Every loop is bounded; dnsmasq is stopped by its PID on exit.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
HARNESS=$HERE/../harness.py
ADDR=${ADDR:-127.0.0.1}
PORT=${PORT:-5353}
NAMES=${NAMES:-1000}
ZONE=${ZONE:-anchor.test}
DURATION=${DURATION:-15}
START_SERVER=${START_SERVER:-1}
DIG_COUNT=${DIG_COUNT:-201}
RTT_COUNT=${RTT_COUNT:-5000}
OUTDIR=${OUTDIR:-$HERE/../../.cluster/peers/dns}
WORK=${WORK:-/tmp/anchors/dns}
RUNS=${RUNS:-"c1|-c 1;c1_q10|-c 1 -q 10;c4|-c 4;c10|-c 10;c20_q500|-c 20 -q 500;T2_c2|-T 2 -c 2;Q5k|-Q 5000;Q10k|-Q 10000;Q20k|-Q 20000;Q30k|-Q 30000;Q40k|-Q 40000"}

case "$ADDR" in 127.*) ;; *) echo "ADDR must be a loopback address" >&2; exit 2;; esac
mkdir -p "$OUTDIR" "$WORK"
CLK_TCK=$(getconf CLK_TCK)

HOSTS=$WORK/hosts.txt
QUERYFILE=${QUERYFILE:-$WORK/queries.txt}
if [ "$START_SERVER" = 1 ]; then
  : > "$HOSTS"; : > "$QUERYFILE"
  for ((i = 0; i < NAMES; i++)); do
    # A records point into 127.1.0.0/16: data only, never contacted
    echo "127.1.$((i / 256)).$((i % 256)) host$i.$ZONE" >> "$HOSTS"
    echo "host$i.$ZONE A" >> "$QUERYFILE"
  done
fi

DPID=${SERVER_PID:-}
cleanup() {
  if [ "$START_SERVER" = 1 ] && [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
    kill "$DPID"; sleep 0.3; kill -0 "$DPID" 2>/dev/null && kill -9 "$DPID"
    wait "$DPID" 2>/dev/null
  fi
}
trap cleanup EXIT INT TERM

if [ "$START_SERVER" = 1 ]; then
  if ss -lnu "sport = :$PORT" | grep -q ":$PORT"; then
    echo "UDP port $PORT is already in use (not by us): pick another PORT" >&2
    ss -lnup "sport = :$PORT" >&2; exit 1
  fi
  dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --no-poll --addn-hosts="$HOSTS" --listen-address="$ADDR" --bind-interfaces \
    --port="$PORT" --pid-file= --log-facility="$WORK/dnsmasq.log" \
    > "$WORK/dnsmasq.stdout" 2>&1 &
  DPID=$!
  echo "dnsmasq pid $DPID" >&2
  ok=0
  for ((k = 0; k < 100; k++)); do
    if dig @"$ADDR" -p "$PORT" +short +tries=1 +time=1 "host1.$ZONE" A 2>/dev/null | grep -q '^127\.1\.'; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "dnsmasq did not answer" >&2; exit 1; }
fi

cpu_ticks() { # utime+stime of a pid (fields 14,15 of /proc/pid/stat)
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

{
  echo "# date: $(date -u +%FT%TZ)"
  echo "# dnsmasq: $(dnsmasq --version | head -1)"
  echo "# dnsperf: $(dnsperf -h 2>&1 | grep ^Version)"
  echo "# dig: $(dig -v 2>&1)"
  echo "# server: $ADDR:$PORT  names: $(wc -l < "$QUERYFILE")  duration: ${DURATION}s  nproc: $(nproc)"
} > "$OUTDIR/env.txt"

# ---------------- single-query RTT -----------------------------------------
: > "$OUTDIR/dig_query_time_ms.txt"; : > "$OUTDIR/dig_wall_ms.txt"
mapfile -t QN < <(awk '{print $1}' "$QUERYFILE")
for ((k = 0; k < DIG_COUNT; k++)); do
  n=${QN[$((k % ${#QN[@]}))]}
  t0=$(date +%s%N)
  out=$(dig @"$ADDR" -p "$PORT" +tries=1 +time=1 "$n" A)
  t1=$(date +%s%N)
  echo "$out" | awk '/Query time:/{print $4}' >> "$OUTDIR/dig_query_time_ms.txt"
  echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.3f\n", $1/1000}' >> "$OUTDIR/dig_wall_ms.txt"
done
med() { sort -n "$1" | awk '{a[NR]=$1} END{if(NR==0){print "nan"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s (min %s max %s n=%d)\n", m, a[1], a[NR], NR}'; }
echo "dig Query time ms median: $(med "$OUTDIR/dig_query_time_ms.txt")" | tee "$OUTDIR/dig_summary.txt"
echo "dig process wall ms median: $(med "$OUTDIR/dig_wall_ms.txt")" | tee -a "$OUTDIR/dig_summary.txt"
python3 "$HARNESS" dns-rtt --server "$ADDR" --port "$PORT" --names-file "$QUERYFILE" \
  --count "$RTT_COUNT" --out "$OUTDIR/udp_rtt.json" | tee "$OUTDIR/udp_rtt.txt"

# ---------------- dnsperf runs ---------------------------------------------
printf "label\targs\tsent\tcompleted\tlost\tqps\tavg_lat_ms\tmin_lat_ms\tmax_lat_ms\tstddev_ms\tdnsperf_cpu_pct\tserver_cpu_pct\tbg_before_pct\tbg_during_pct\n" > "$OUTDIR/summary.tsv"
IFS=';' read -ra RUNLIST <<< "$RUNS"
for run in "${RUNLIST[@]}"; do
  label=${run%%|*}; args=${run#*|}
  bgb=$(python3 "$HARNESS" wait-quiet $DPID)
  read -r sb0 st0 < <(python3 "$HARNESS" sys-cpu)
  c0=$(cpu_ticks "$DPID"); w0=$(date +%s%N)
  TIMEFORMAT='%U %S %R'
  { time dnsperf -s "$ADDR" -p "$PORT" -d "$QUERYFILE" -l "$DURATION" $args \
      > "$OUTDIR/dnsperf_$label.txt" 2>&1 ; } 2> "$OUTDIR/dnsperf_$label.time"
  w1=$(date +%s%N); c1=$(cpu_ticks "$DPID")
  read -r sb1 st1 < <(python3 "$HARNESS" sys-cpu)
  read -r u s r < "$OUTDIR/dnsperf_$label.time"
  perf_cpu=$(awk -v u="$u" -v s="$s" -v r="$r" 'BEGIN{printf "%.1f", 100*(u+s)/r}')
  srv_cpu=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v w0="$w0" -v w1="$w1" \
    'BEGIN{printf "%.1f", 100*(b-a)/t/((w1-w0)/1e9)}')
  busy=$(awk -v b0="$sb0" -v b1="$sb1" -v t0="$st0" -v t1="$st1" -v n="$(nproc)" \
    'BEGIN{printf "%.1f", 100*n*(b1-b0)/(t1-t0)}')
  bgd=$(awk -v b="$busy" -v p="$perf_cpu" -v s="$srv_cpu" 'BEGIN{x=b-p-s; if(x<0)x=0; printf "%.1f", x}')
  f="$OUTDIR/dnsperf_$label.txt"
  line=$(awk -v label="$label" -v args="$args" -v pc="$perf_cpu" -v sc="$srv_cpu" -v bgb="$bgb" -v bgd="$bgd" '
    /Queries sent:/ {sent=$3}
    /Queries completed:/ {comp=$3}
    /Queries lost:/ {lost=$3}
    /Queries per second:/ {qps=$4}
    /Average Latency/ {avg=$4; mn=$6; gsub(/,/,"",mn); mx=$8; gsub(/\)/,"",mx)}
    /Latency StdDev/ {sd=$4}
    END {printf "%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t%s\t%s\n", label, args, sent, comp, lost, qps, avg*1000, mn*1000, mx*1000, sd*1000, pc, sc, bgb, bgd}' "$f")
  echo "$line" >> "$OUTDIR/summary.tsv"
  echo "$line" >&2
done
column -t -s $'\t' "$OUTDIR/summary.tsv"
