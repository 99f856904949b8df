#!/usr/bin/env bash
# bench/decisions.sh: the decision benchmark. It measures the bare net/http
# baseline (tools/baseline) and a running, seeded Flint with the same wrk
# command, and prints both rates, their ratio (the target is >= 0.50),
# Flint's p99 latency and Flint's memory.
#
#   bench/decisions.sh [options] FLINT_BIN BASELINE_BIN
#
#   go build -o /tmp/flint ./cmd/flint && go build -o /tmp/baseline ./tools/baseline
#   /tmp/flint serve & /tmp/flint demo …          # Flint must be running and seeded
#   bench/decisions.sh /tmp/flint /tmp/baseline
#
# The baseline is started on --baseline-addr, measured and stopped before
# Flint is measured, so the two never share the CPU. FLINT_BIN is only used
# to find Flint's pid for its memory when neither --pid nor the listening
# port tells it.
#
# Options (environment variables in brackets):
#   --url URL            Flint's base URL [FLINT_URL; http://127.0.0.1:8080]
#   --token TOKEN        operator token [FLINT_OPERATOR_TOKEN; else the
#                        operator-token file in --data]
#   --data DIR           Flint's data directory [FLINT_DATA; ./data]
#   --pid PID            Flint's pid, for its memory [FLINT_PID]
#   --baseline-addr A    where to run the baseline [BASELINE_ADDR; 127.0.0.1:8099]
#   --duration D         wrk -d [DURATION; 10s]
#   --connections N      wrk -c [CONNECTIONS; 32]
#   --threads N          wrk -t [THREADS; 1]
#   --warmup D           a wrk run of D before each measurement, 0 for none [WARMUP; 2s]
#   --check              count answers by status in wrk (slower) [WRK_CHECK=1]
# The wrk outputs are kept in a temporary directory whose path is printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$here/decisions.lua"

url=${FLINT_URL:-http://127.0.0.1:8080}
token=${FLINT_OPERATOR_TOKEN:-}
data=${FLINT_DATA:-./data}
pid=${FLINT_PID:-}
baseline_addr=${BASELINE_ADDR:-127.0.0.1:8099}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
warmup=${WARMUP:-2s}
check=${WRK_CHECK:-0}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "decisions.sh: $*" >&2; exit 1; }

args=()
while (($#)); do
  case $1 in
    --url) url=$2; shift 2 ;;
    --token) token=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --pid) pid=$2; shift 2 ;;
    --baseline-addr) baseline_addr=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) usage ;;
    --) shift; args+=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 2)) || usage
flint_bin=${args[0]}
baseline_bin=${args[1]}
url=${url%/}

command -v wrk >/dev/null || die "wrk is not installed"
[[ -x $baseline_bin ]] || die "$baseline_bin is not an executable baseline binary"
[[ -f $script ]] || die "$script is missing"
if [[ -z $token ]]; then
  [[ -r $data/operator-token ]] || die "no operator token: give --token, set FLINT_OPERATOR_TOKEN, or point --data at Flint's data directory"
  token=$(tr -d '[:space:]' <"$data/operator-token")
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/flint-bench.XXXXXX")
baseline_pid=
cleanup() {
  if [[ -n $baseline_pid ]] && kill -0 "$baseline_pid" 2>/dev/null; then
    kill "$baseline_pid" 2>/dev/null || true
    wait "$baseline_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port HOST PORT: wait up to 10 s for something to listen.
wait_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    if [[ -n $baseline_pid ]] && ! kill -0 "$baseline_pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# bench NAME URL: warm up, then run the measured wrk into $out/NAME.txt.
bench() {
  local name=$1 target=$2
  export FLINT_OPERATOR_TOKEN=$token WRK_CHECK=$check
  if [[ $warmup != 0 && $warmup != 0s ]]; then
    wrk -t"$threads" -c"$connections" -d"$warmup" -s "$script" "$target" >/dev/null
  fi
  echo "== $name: wrk -t$threads -c$connections -d$duration --latency -s bench/decisions.lua $target"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$script" "$target" | tee "$out/$name.txt"
  echo
}

# rate FILE prints the Requests/sec of a wrk output.
rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }

# p99 FILE prints the 99th percentile of a wrk --latency output in ms.
p99() {
  awk '$1 == "99%" {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    printf "%.2f", v * f
  }' "$1"
}

# failures FILE prints the non-2xx and socket-error lines of a wrk output.
failures() { grep -E 'Non-2xx|Socket errors' "$1" || true; }

# precheck URL: one decision through curl, to catch a bad token or an
# unseeded server before spending a whole run on it.
precheck() {
  command -v curl >/dev/null || return 0
  local status
  status=$(curl -s -o "$out/precheck.json" -w '%{http_code}' -X POST "$1/api/v1/decisions" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    --data '{"placement":"feed","viewer":{"id":"v1","country":"US","age":27,"gender":"female","language":"en","os":"ios","interests":["beauty"]},"count":1}') || status=000
  [[ $status == 200 ]] || die "POST $1/api/v1/decisions answered $status: $(head -c 300 "$out/precheck.json" 2>/dev/null)"
  if grep -q '"ads":\[\]' "$out/precheck.json"; then
    echo "decisions.sh: warning: the sample decision returned no ads; is Flint seeded?" >&2
  fi
}

# --- the baseline -----------------------------------------------------------
if (exec 3<>"/dev/tcp/${baseline_addr%:*}/${baseline_addr##*:}") 2>/dev/null; then
  die "something already listens on $baseline_addr; give --baseline-addr"
fi
"$baseline_bin" --addr "$baseline_addr" 2>"$out/baseline.log" &
baseline_pid=$!
if ! wait_port "${baseline_addr%:*}" "${baseline_addr##*:}" || ! kill -0 "$baseline_pid" 2>/dev/null; then
  die "the baseline did not start on $baseline_addr: $(cat "$out/baseline.log")"
fi
bench baseline "http://$baseline_addr"
kill "$baseline_pid"
wait "$baseline_pid" 2>/dev/null || true
baseline_pid=

# --- Flint ------------------------------------------------------------------
precheck "$url"
bench flint "$url"

# Flint's pid: given, else whoever listens on the URL's port, else by name.
if [[ -z $pid ]]; then
  hostport=${url#*://}
  hostport=${hostport%%/*}
  port=${hostport##*:}
  [[ $port == "$hostport" ]] && port=80
  if command -v ss >/dev/null; then
    pid=$(ss -Htlnp "( sport = :$port )" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true)
  fi
  if [[ -z $pid ]]; then
    pid=$(pgrep -n -f "(^|/)$(basename "$flint_bin") serve" || true)
  fi
fi

# --- the report ---------------------------------------------------------------
b_rate=$(rate "$out/baseline.txt")
f_rate=$(rate "$out/flint.txt")
[[ -n $b_rate && -n $f_rate ]] || die "could not read Requests/sec from the wrk outputs in $out"
ratio=$(awk -v f="$f_rate" -v b="$b_rate" 'BEGIN { printf "%.2f", (b > 0) ? f / b : 0 }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5) ? "met" : "NOT met" }')

echo "== decision benchmark (wrk -t$threads -c$connections -d$duration; outputs in $out)"
printf '%-26s %12s req/s   p99 %s ms\n' "baseline (bare net/http)" "$b_rate" "$(p99 "$out/baseline.txt")"
printf '%-26s %12s req/s   p99 %s ms\n' "flint" "$f_rate" "$(p99 "$out/flint.txt")"
printf '%-26s %12s         (target >= 0.50: %s)\n' "ratio flint/baseline" "$ratio" "$verdict"
if [[ -n $pid && -r /proc/$pid/status ]]; then
  awk -v pid="$pid" '/^VmRSS:/ {rss = $2} /^VmHWM:/ {hwm = $2}
    END { printf "%-26s VmRSS %.1f MiB, VmHWM %.1f MiB (pid %s)\n", "flint memory", rss / 1024, hwm / 1024, pid }' "/proc/$pid/status"
else
  echo "flint memory               unknown: no pid (give --pid)"
fi

bad=0
for name in baseline flint; do
  if [[ -n $(failures "$out/$name.txt") ]]; then
    echo "decisions.sh: $name had failures, so its rate is not a fair measure:" >&2
    failures "$out/$name.txt" | sed 's/^/  /' >&2
    bad=1
  fi
done
exit $bad
