#!/usr/bin/env bash
# Checks certs/gen-certs.sh: the files it writes, their modes, the chain, the
# SANs, key type and extensions, idempotence and --force. Usage:
#   gen_certs_test.sh PATH/TO/gen-certs.sh
set -euo pipefail

readonly SCRIPT="${1:?usage: $0 PATH/TO/gen-certs.sh}"
WORK="$(mktemp -d)"
readonly WORK
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/dev"
passed=0
failed=0

check() {
  local name="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name" >&2
  fi
}

mode_of() { stat -c '%a' "$1"; }
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
text_of() { openssl x509 -in "$1" -noout -text; }
sans_of() { openssl x509 -in "$1" -noout -ext subjectAltName | sed -n '2p' | tr -d ' '; }

bash "$SCRIPT" --out "$OUT" --namespace test-ns --service hook 2>/dev/null

for f in ca.crt ca.key tls.crt tls.key; do check "$f exists" test -s "$OUT/$f"; done
check "ca.key is 0600" test "$(mode_of "$OUT/ca.key")" = 600
check "tls.key is 0600" test "$(mode_of "$OUT/tls.key")" = 600
check "tls.crt verifies against ca.crt" openssl verify -CAfile "$OUT/ca.crt" "$OUT/tls.crt"
check "SANs" test "$(sans_of "$OUT/tls.crt")" = \
  "DNS:localhost,IPAddress:127.0.0.1,DNS:hook.test-ns.svc,DNS:hook.test-ns.svc.cluster.local"
check "tls.key is ECDSA P-256" grep -q 'ASN1 OID: prime256v1' <(openssl pkey -in "$OUT/tls.key" -noout -text)
check "ca.key is ECDSA P-256" grep -q 'ASN1 OID: prime256v1' <(openssl pkey -in "$OUT/ca.key" -noout -text)
check "leaf is CA:FALSE" grep -q 'CA:FALSE' <(text_of "$OUT/tls.crt")
check "leaf has serverAuth" grep -q 'TLS Web Server Authentication' <(text_of "$OUT/tls.crt")
check "ca is CA:TRUE" grep -q 'CA:TRUE' <(text_of "$OUT/ca.crt")
check "leaf valid for a year" openssl x509 -in "$OUT/tls.crt" -noout -checkend $((364 * 86400))
check "leaf not valid past 366 days" \
  bash -c "! openssl x509 -in '$OUT/tls.crt' -noout -checkend $((366 * 86400))"
check "key matches leaf" test "$(openssl pkey -in "$OUT/tls.key" -pubout)" = \
  "$(openssl x509 -in "$OUT/tls.crt" -noout -pubkey)"

ca_before="$(fingerprint "$OUT/ca.crt")"
leaf_before="$(fingerprint "$OUT/tls.crt")"
bash "$SCRIPT" --out "$OUT" --namespace test-ns --service hook 2>/dev/null
check "second run keeps the CA" test "$(fingerprint "$OUT/ca.crt")" = "$ca_before"
check "second run keeps the leaf" test "$(fingerprint "$OUT/tls.crt")" = "$leaf_before"

bash "$SCRIPT" --out "$OUT" --namespace other-ns --service hook 2>/dev/null
check "new namespace keeps the CA" test "$(fingerprint "$OUT/ca.crt")" = "$ca_before"
check "new namespace reissues the leaf" test "$(fingerprint "$OUT/tls.crt")" != "$leaf_before"
check "reissued leaf names the new namespace" grep -q 'DNS:hook.other-ns.svc,' \
  <(sans_of "$OUT/tls.crt")

bash "$SCRIPT" --out "$OUT" --namespace other-ns --service hook --force 2>/dev/null
check "--force replaces the CA" test "$(fingerprint "$OUT/ca.crt")" != "$ca_before"
check "--force output verifies" openssl verify -CAfile "$OUT/ca.crt" "$OUT/tls.crt"

rm "$OUT/ca.key"
bash "$SCRIPT" --out "$OUT" --namespace other-ns --service hook 2>/dev/null
check "missing CA key regenerates everything" \
  openssl verify -CAfile "$OUT/ca.crt" "$OUT/tls.crt"

check "--help exits 0" bash "$SCRIPT" --help
check "unknown flag exits 2" bash -c "bash '$SCRIPT' --bogus; test \$? -eq 2"
check "bad namespace exits 2" bash -c "bash '$SCRIPT' --out '$WORK/x' -n Bad_NS; test \$? -eq 2"

echo "$passed passed, $failed failed"
((failed == 0))
