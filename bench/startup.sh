#!/bin/bash
# Start-up time of flint serve (issue 9 item 5): starts BINARY on a seeded
# world, polls /readyz until it answers 200, stops the server, and prints
# the wall time from exec to ready, the logged load time ("delivery index
# loaded ... took="), the CPU time of the whole process (user + system,
# start-up plus one idle second) and its peak RSS.
#
#   flint demo --seed-only --ads 100000 --data /tmp/w
#   bench/startup.sh /tmp/flint /tmp/w 18631 [more flint serve flags]
set -eu
bin=$1 data=$2 port=$3
shift 3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s.%N)
/usr/bin/time -v "$bin" serve --data "$data" --addr "127.0.0.1:$port" "$@" >"$log" 2>&1 &
tpid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
	kill -0 "$tpid" 2>/dev/null || { cat "$log"; exit 1; }
	sleep 0.05
done
end=$(date +%s.%N)
sleep 1
kill -TERM "$(pgrep -P "$tpid")"
wait "$tpid" || true
took=$(grep -o 'delivery index loaded.*' "$log" | grep -o 'took=[^ ]*')
rss=$(awk '/Maximum resident/ {print $NF}' "$log")
cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$log")
printf '%s ready=%.2fs %s cpu=%ss rss=%dMB\n' "$(basename "$bin")" "$(echo "$end - $start" | bc)" "$took" "$cpu" $((rss / 1024))
