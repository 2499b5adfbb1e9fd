#!/usr/bin/env bash
# Load and memory figures for the webhook (`make bench`). Starts the real server
# (`BIN serve`, pinned to CPU 0, ports picked by the kernel and read from its log)
# with examples/allowlist.yaml, then runs webhook_bench (pinned to CPU 1 when there
# is one) at 1, 16 and 64 keep-alive connections and once with a new TLS
# handshake per request, measures the server's CPU time per request (the fair
# figure on a shared machine), samples its RSS idle and under load, runs the
# same loads against the Go net/http reference in bench/go-reference, runs
# an nginx fixed answer (the TLS floor) at 16 connections, prints the ratios, runs
# validate_bench and any other bench binary in BUILD_DIR/bench, and finally stops
# the server with SIGTERM and checks that it exits 0. Bounded: each load run lasts
# SECONDS and every other step has a timeout.
# Output: a text report on stdout; raw JSON in BUILD_DIR/bench-results/.
#   usage: bench/run.sh BIN BUILD_DIR CERT_DIR SECONDS
set -euo pipefail

if [ $# -ne 4 ] || ! [[ $4 =~ ^[0-9]+$ ]] || [ "$4" -lt 1 ]; then
  echo "usage: $0 BIN BUILD_DIR CERT_DIR SECONDS" >&2
  exit 2
fi
bin=$1 build=$2 seconds=$4
# Absolute, because nginx resolves relative paths against its own prefix.
certs=$(cd "$3" 2>/dev/null && pwd || echo "$3")
root=$(cd "$(dirname "$0")/.." && pwd)
for f in "$bin" "$build/bench/webhook_bench" "$certs/tls.crt" "$certs/tls.key" "$certs/ca.crt"; do
  [ -e "$f" ] || { echo "missing $f" >&2; exit 2; }
done
out="$(cd "$build" && pwd)/bench-results"
mkdir -p "$out"
server_log="$out/server.log"
client_cpu=$([ "$(nproc)" -gt 1 ] && echo 1 || echo 0)

pid=""
cleanup() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi; }
trap cleanup EXIT

rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# HTTP GET on the plain probe port with bash's /dev/tcp; prints the status line.
probe_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3
  head -1 <&3
  exec 3<&-
}

# start_server [extra serve flags]: sets pid, port and probe. The ports are read
# from the server's "serving" log line; when port and probe are already set (a
# server started before), those are reused, since a server run with
# --log-level=warn prints no such line.
start_server() {
  local known_port=${port:-} known_probe=${probe:-}
  taskset -c 0 "$bin" serve --listen "127.0.0.1:${known_port:-0}" \
    --probe-listen "127.0.0.1:${known_probe:-0}" \
    --tls-cert-file "$certs/tls.crt" --tls-key-file "$certs/tls.key" \
    --allowlist-file "$root/examples/allowlist.yaml" "$@" 2>"$server_log" &
  pid=$!
  for _ in $(seq 100); do
    port=${known_port:-$(sed -n 's/.*"https_port":\([0-9]*\).*/\1/p' "$server_log" | head -1)}
    probe=${known_probe:-$(sed -n 's/.*"probe_port":\([0-9]*\).*/\1/p' "$server_log" | head -1)}
    if [ -n "$port" ] && [ -n "$probe" ] && probe_get "$probe" /readyz 2>/dev/null | grep -q 200; then
      return
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$server_log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not become ready" >&2
  exit 1
}

# CPU time (user + system, in clock ticks) the server process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# load NAME CONNECTIONS [extra webhook_bench flags]: one run, JSON to $out/NAME.json
# and the server's CPU ticks during the run to $out/NAME.cpu.
load() {
  local name=$1 conns=$2 t0
  shift 2
  t0=$(cpu_ticks "$pid")
  timeout $((seconds + 60)) taskset -c "$client_cpu" "$build/bench/webhook_bench" \
    --url "https://127.0.0.1:$port/validate-mustgather" --body "$root/bench/mustgather-review.json" \
    --ca "$certs/ca.crt" --connections "$conns" --duration "$seconds" --json "$@" \
    >"$out/$name.json" || echo "webhook_bench $name: some requests failed" >&2
  echo $(($(cpu_ticks "$pid") - t0)) >"$out/$name.cpu"
}

# One table row from a run's JSON (jq when installed, else the raw JSON).
row() {
  if command -v jq >/dev/null; then
    jq -r --arg n "$1" --argjson ticks "$(cat "$out/$1.cpu")" --argjson hz "$(getconf CLK_TCK)" \
      '[$n, .connections, (.requests_per_s | floor), .latency_ms.p50, .latency_ms.p99,
        (if .requests > 0 then ($ticks * 1e6 / $hz / .requests | floor) else "-" end),
        .errors] | @tsv' "$out/$1.json"
  else
    echo "$1: $(tr -d '\n ' <"$out/$1.json") server_cpu_ticks=$(cat "$out/$1.cpu")"
  fi
}

start_server
sleep 1
rss_idle=$(rss_kib "$pid" VmRSS)
# Issue 16: the probe port answers while 500 idle and 50 slowloris sockets are open.
python3 "$root/bench/probe_bench.py" "$probe" >"$out/probe.json" ||
  echo "probe_bench: a /readyz probe failed or took 1 s or more" >&2
load keepalive-1 1
load keepalive-16 16
load keepalive-64 64 &
loader=$!
sleep $((seconds / 2 + 1))
rss_load=$(rss_kib "$pid" VmRSS)
wait "$loader"
load handshake-per-request-4 4 --new-connection-per-request
rss_peak=$(rss_kib "$pid" VmHWM)
threads_now=$(rss_kib "$pid" Threads)

# stop_server: SIGTERM, then sets exit_code and stop_secs.
stop_server() {
  kill -TERM "$pid"
  local t0
  t0=$(date +%s%N)
  # Wait up to 60 s for it to exit (a zombie has exited), then reap it.
  for _ in $(seq 6000); do
    case $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) in Z | "") break ;; esac
    sleep 0.01
  done
  kill -KILL "$pid" 2>/dev/null || true
  set +e
  wait "$pid"
  exit_code=$?
  set -e
  stop_secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  pid=""
}

stop_server
first_exit=$exit_code first_secs=$stop_secs
# The same 16-connection load without the review deadline (no timer per
# request): what the deadline guard costs.
server_log="$out/server-nodeadline.log"
start_server --max-review-duration=0
load keepalive-16-nodeadline 16
stop_server

# The same per-decision work without the JSON log line, to compare like with like
# against the Go reference, which does not log.
server_log="$out/server-nolog.log"
start_server --log-level=warn
load keepalive-16-nolog 16
stop_server

# The Go net/http reference webhook (bench/go-reference) under the same loads, on
# the same core (GOMAXPROCS=1). Skipped, with a note, when Go is not installed.
go_runs=()
if command -v go >/dev/null; then
  (cd "$root/bench/go-reference" && GOCACHE="$out/go-cache" GOFLAGS=-mod=mod CGO_ENABLED=0 \
    timeout 300 go build -o "$out/go-reference" .)
  server_log="$out/server-go.log"
  GOMAXPROCS=1 taskset -c 0 "$out/go-reference" --listen 127.0.0.1:0 \
    --tls-cert-file "$certs/tls.crt" --tls-key-file "$certs/tls.key" 2>"$server_log" &
  pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*"https_port":\([0-9]*\).*/\1/p' "$server_log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$server_log" >&2; exit 1; }
  sleep 1
  go_rss_idle=$(rss_kib "$pid" VmRSS)
  load go-keepalive-1 1
  load go-keepalive-16 16
  load go-keepalive-64 64
  load go-handshake-per-request-4 4 --new-connection-per-request
  go_rss_peak=$(rss_kib "$pid" VmHWM)
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  # Again with -log: one JSON decision line per request on stderr, as ours writes.
  server_log="$out/server-go-log.log"
  GOMAXPROCS=1 taskset -c 0 "$out/go-reference" --listen "127.0.0.1:$port" -log \
    --tls-cert-file "$certs/tls.crt" --tls-key-file "$certs/tls.key" 2>"$server_log" &
  pid=$!
  for _ in $(seq 100); do
    grep -q '"https_port"' "$server_log" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  load go-keepalive-1-log 1
  load go-keepalive-16-log 16
  load go-keepalive-64-log 64
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  go_runs=(go-keepalive-1 go-keepalive-16 go-keepalive-64 go-handshake-per-request-4
    go-keepalive-1-log go-keepalive-16-log go-keepalive-64-log)
else
  echo "go not found: skipping the Go reference runs (make bench installs golang-go)" >&2
fi

# The floor: nginx (nginx-light) answering every POST with a fixed AdmissionReview
# over the same TLS certificate, one worker on the same core. TLS and HTTP with no
# work: what no webhook can beat. Skipped, with a note, when nginx is not installed.
floor_runs=()
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$nginx_bin" ]; then
  nginx_dir="$out/nginx"
  mkdir -p "$nginx_dir"
  nginx_port=$((20000 + RANDOM % 20000))
  answer='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true}}'
  cat >"$nginx_dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $nginx_dir;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $certs/tls.crt;
    ssl_certificate_key $certs/tls.key;
    ssl_protocols TLSv1.3;
    keepalive_requests 1000000;
    client_max_body_size 8m;
    location / { default_type application/json; return 200 '$answer'; }
  }
}
CONF
  taskset -c 0 "$nginx_bin" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/error.log" &
  pid=$!
  port=$nginx_port
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  load nginx-floor-16 16
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  floor_runs=(nginx-floor-16)
else
  echo "nginx not found: skipping the TLS floor run (make bench installs nginx-light)" >&2
fi

# rate RUN: its req/s, or "" when it did not run.
rate() { [ -f "$out/$1.json" ] && command -v jq >/dev/null && jq -r '.requests_per_s' "$out/$1.json" || true; }
# ratio A B: A/B to two decimals, or "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo "== webhook (server pinned to CPU 0, client to CPU $client_cpu; $(nproc) CPUs; ${seconds}s per run)"
printf 'run\tconnections\treq/s\tp50 ms\tp99 ms\tserver CPU us/req\terrors\n'
for r in keepalive-1 keepalive-16 keepalive-64 handshake-per-request-4 keepalive-16-nodeadline \
  keepalive-16-nolog "${go_runs[@]}" "${floor_runs[@]}"; do
  row "$r"
done
ours=$(rate keepalive-16) ours_nolog=$(rate keepalive-16-nolog)
go_log=$(rate go-keepalive-16-log) go_nolog=$(rate go-keepalive-16) floor=$(rate nginx-floor-16)
echo "ratios at 16 connections: this server / Go reference $(ratio "$ours" "$go_log") (both logging)," \
  "$(ratio "$ours_nolog" "$go_nolog") (neither); this server / nginx floor $(ratio "$ours" "$floor")" \
  "(logging), $(ratio "$ours_nolog" "$floor") (--log-level=warn)"
[ -z "${go_rss_idle:-}" ] || echo "Go reference: RSS idle ${go_rss_idle} KiB, peak (VmHWM) ${go_rss_peak} KiB"
echo "/readyz with 500 idle and 50 slowloris connections open: $(cat "$out/probe.json")"
echo "RSS idle ${rss_idle} KiB, under 64-connection load ${rss_load} KiB, peak (VmHWM) ${rss_peak} KiB"
echo "server threads after the runs: ${threads_now:-?} (event loop, watchdog, certificate and allowlist watchers, probe listener)"
echo "SIGTERM: exit code ${first_exit} after ${first_secs}s (no-deadline run: ${exit_code} after ${stop_secs}s)"

echo "== validate_bench"
timeout $((seconds * 12 + 60)) "$build/bench/validate_bench" | tee "$out/validate_bench.txt"
for other in "$build"/bench/*; do
  case $(basename "$other") in webhook_bench | validate_bench) continue ;; esac
  [ -f "$other" ] && [ -x "$other" ] || continue
  echo "== $(basename "$other")"
  timeout $((seconds * 6 + 60)) "$other" | tee "$out/$(basename "$other").txt" || true
done

if [ "$first_exit" -ne 0 ] || [ "$exit_code" -ne 0 ]; then
  echo "the server did not exit 0 on SIGTERM ($first_exit, $exit_code)" >&2
  exit 1
fi
