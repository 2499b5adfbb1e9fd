#!/usr/bin/env bash
# Soak test (`make soak`, not part of `make test`): one `BIN serve` for SECONDS
# (default SOAK_SECONDS or 600) under good AdmissionReviews (webhook_bench, 4
# keep-alive connections) while hostile clients of every kind issue 16 names run
# beside them: sockets that connect and send nothing (TLS and probe port), slowloris
# heads and header floods and chunked bodies on the probe port, Transfer-Encoding
# smuggling, HEAD and Host-less requests over TLS, and TLS connect/close churn. A
# /readyz probe runs every second with a 1 s timeout, as the kubelet's would.
# Every 5 s it samples the server's RSS, threads and descriptors.
# Reports good requests answered and failed, their p99, probes answered and
# failed, and the peaks. Fails (exit 1) if any good request or probe failed, or
# if RSS, threads or descriptors kept growing: the peak of the last third of the
# samples above the peak of the middle third by more than 25% plus a slack
# (8 MiB, 4 threads, 64 descriptors).
#   usage: bench/soak.sh BIN BUILD_DIR CERT_DIR [SECONDS]
set -euo pipefail

bin=$1 build=$2 certs=$3 seconds=${4:-${SOAK_SECONDS:-600}}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$(cd "$build" && pwd)/soak-results"
mkdir -p "$out"
log="$out/server.log" samples="$out/samples.txt" probes="$out/probes.txt"
: >"$samples"
: >"$probes"
pid="" helpers=()
cleanup() {
  for h in "${helpers[@]}"; do kill "$h" 2>/dev/null || true; done
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
}
trap cleanup EXIT

"$bin" serve --listen 127.0.0.1:0 --probe-listen 127.0.0.1:0 \
  --tls-cert-file "$certs/tls.crt" --tls-key-file "$certs/tls.key" \
  --allowlist-file "$root/examples/allowlist.yaml" 2>"$log" &
pid=$!
tls="" probe=""
for _ in $(seq 100); do
  tls=$(sed -n 's/.*"https_port":\([0-9]*\).*/\1/p' "$log" | head -1)
  probe=$(sed -n 's/.*"probe_port":\([0-9]*\).*/\1/p' "$log" | head -1)
  [ -n "$tls" ] && [ -n "$probe" ] && break
  sleep 0.1
done
[ -n "$probe" ] && [ -n "$tls" ] || { echo "could not find the server's ports" >&2; exit 2; }
end=$(($(date +%s) + seconds))
alive() { [ "$(date +%s)" -lt "$end" ]; }

# tls_send BYTES: one TLS connection that sends BYTES and reads for up to 2 s.
tls_send() {
  printf '%b' "$1" | timeout 3 openssl s_client -quiet -connect "127.0.0.1:$tls" \
    -CAfile "$certs/ca.crt" >/dev/null 2>&1 || true
}

hostile_silent() {  # 100 bare sockets to each port, held 5 s, again and again
  while alive; do
    (for _ in $(seq 100); do exec {a}<>"/dev/tcp/127.0.0.1/$tls" {b}<>"/dev/tcp/127.0.0.1/$probe"; done
     sleep 5) 2>/dev/null || true
  done
}
hostile_slowloris() {  # a probe head, one line a second, on 20 connections
  while alive; do
    for _ in $(seq 20); do
      (exec 3<>"/dev/tcp/127.0.0.1/$probe"; printf 'GET /readyz HTTP/1.1\r\nHost: a\r\n' >&3
       for i in $(seq 10); do printf 'X-%d: y\r\n' "$i" >&3 || exit 0; sleep 1; done) 2>/dev/null &
    done
    wait
  done
}
hostile_probe_floods() {  # header floods and chunked or huge bodies on the probe port
  local lines
  lines=$(printf 'X-Flood: %080d\r\n' $(seq 2000))
  while alive; do
    (exec 3<>"/dev/tcp/127.0.0.1/$probe"; printf 'GET /metrics HTTP/1.1\r\nHost: a\r\n%s' "$lines" >&3
     timeout 2 cat <&3 >/dev/null) 2>/dev/null || true
    (exec 3<>"/dev/tcp/127.0.0.1/$probe"
     printf 'POST /metrics HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n%s' "$lines" >&3
     timeout 2 cat <&3 >/dev/null) 2>/dev/null || true
    sleep 0.2
  done
}
hostile_tls_requests() {  # smuggling, HEAD, no Host, repeated Host, bodies too big
  while alive; do
    tls_send 'POST /validate-mustgather HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n'
    tls_send 'HEAD /validate-mustgather HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n'
    tls_send 'POST /validate-mustgather HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
    tls_send 'POST /validate-mustgather HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 2\r\n\r\n{}'
    tls_send 'POST /validate-mustgather HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n'
  done
}
churn() {  # TLS connect, handshake, close
  while alive; do
    timeout 3 openssl s_client -connect "127.0.0.1:$tls" -CAfile "$certs/ca.crt" </dev/null \
      >/dev/null 2>&1 || true
  done
}
prober() {  # the kubelet: /readyz every second, 1 s timeout
  while alive; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$probe"; printf 'GET /readyz HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n' >&3
        timeout 1 head -1 <&3) 2>/dev/null | grep -q ' 200 '; then echo ok >>"$probes"; else echo failed >>"$probes"; fi
    sleep 1
  done
}
sampler() {
  while alive; do
    echo "$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status") $(awk '$1 == "Threads:" {print $2}' \
      "/proc/$pid/status") $(ls "/proc/$pid/fd" | wc -l)" >>"$samples"
    sleep 5
  done
}

for f in hostile_silent hostile_slowloris hostile_probe_floods hostile_tls_requests churn prober sampler; do
  $f &
  helpers+=($!)
done
echo "soak: ${seconds}s against pid $pid (TLS $tls, probes $probe)"
"$build/bench/webhook_bench" --url "https://127.0.0.1:$tls/validate-mustgather" \
  --body "$root/bench/mustgather-review.json" --ca "$certs/ca.crt" --connections 4 \
  --duration "$seconds" --json >"$out/good.json" || true
for h in "${helpers[@]}"; do wait "$h" 2>/dev/null || true; done
helpers=()
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""

good_ok=$(jq .ok "$out/good.json") good_failed=$(jq .errors "$out/good.json")
p99=$(jq .latency_ms.p99 "$out/good.json")
probe_ok=$(grep -c ok "$probes" || true) probe_failed=$(grep -c failed "$probes" || true)
read -r peak_rss peak_threads peak_fds < <(awk '{if($1>r)r=$1; if($2>t)t=$2; if($3>f)f=$3}
  END {print r, t, f}' "$samples")
growth=$(awk '{a[NR]=$0} END {
  n=NR; m1=int(n/3); m2=int(2*n/3)
  for (i=m1+1; i<=n; i++) { split(a[i], v, " ")
    for (k=1; k<=3; k++) { if (i<=m2) { if (v[k]>mid[k]) mid[k]=v[k] } else if (v[k]>last[k]) last[k]=v[k] } }
  slack[1]=8192; slack[2]=4; slack[3]=64; name[1]="RSS"; name[2]="threads"; name[3]="descriptors"
  for (k=1; k<=3; k++) if (n >= 6 && last[k] > mid[k]*1.25 + slack[k]) printf "%s grew (%d -> %d) ", name[k], mid[k], last[k]
}' "$samples")
echo "good reviews  $good_ok answered, $good_failed failed, p99 $p99 ms"
echo "probes        $probe_ok answered, $probe_failed failed"
echo "peaks         RSS $((peak_rss / 1024)) MiB, $peak_threads threads, $peak_fds descriptors"
echo "samples       $(wc -l <"$samples") (RSS KiB, threads, descriptors in $samples)"
echo "exit          serve exited $status on SIGTERM"
if [ "$good_failed" != 0 ] || [ "$probe_failed" != 0 ] || [ -n "$growth" ] || [ "$status" != 0 ]; then
  echo "FAIL ${growth}" >&2
  exit 1
fi
echo PASS
