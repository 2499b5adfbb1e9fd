#!/usr/bin/env bash
# Checks `certs/gen-certs.sh deploy` against a fake kubectl that records what it is
# asked to do (no cluster needed): the Secret it applies, the caBundle patches, the
# restart after a new certificate, and the failure when the manifests are missing.
# Usage: gen_certs_deploy_test.sh PATH/TO/gen-certs.sh PATH/TO/manifests
set -euo pipefail

readonly SCRIPT="${1:?usage: $0 PATH/TO/gen-certs.sh PATH/TO/manifests}"
readonly MANIFESTS="${2:?usage: $0 PATH/TO/gen-certs.sh PATH/TO/manifests}"
WORK="$(mktemp -d)"
readonly WORK
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/deploy"
FAKE="$WORK/bin"
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

# The fake kubectl: one line per call in calls.log; `apply -f -` keeps its stdin;
# `patch` keeps its -p argument; `get` answers from the FAKE_* variables.
mkdir -p "$FAKE"
cat >"$FAKE/kubectl" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$FAKE_DIR/calls.log"
case "$1 ${2:-}" in
  "create secret")
    printf 'apiVersion: v1\nkind: Secret\n# args: %s\n' "$*" ;;
  "apply -f")
    cat >"$FAKE_DIR/applied.$(wc -l <"$FAKE_DIR/calls.log").yaml" ;;
  "get validatingwebhookconfiguration")
    [[ -n "${FAKE_VALIDATING:-}" ]] || { echo "NotFound" >&2; exit 1; }
    printf '%b' "$FAKE_VALIDATING" ;;
  "get mutatingwebhookconfiguration")
    [[ -n "${FAKE_MUTATING:-}" ]] || { echo "NotFound" >&2; exit 1; }
    printf '%b' "$FAKE_MUTATING" ;;
  "get deployment")
    [[ "${FAKE_DEPLOYMENT:-yes}" == yes ]] || exit 1 ;;
  "patch validatingwebhookconfiguration" | "patch mutatingwebhookconfiguration")
    kind="$2"
    while (($# > 0)); do
      if [[ "$1" == -p ]]; then printf '%s' "$2" >"$FAKE_DIR/patch.$kind.json"; fi
      shift
    done ;;
  "rollout restart") ;;
  *) echo "fake kubectl: unexpected call: $*" >&2; exit 3 ;;
esac
EOF
chmod +x "$FAKE/kubectl"

export FAKE_DIR="$WORK/fake"
export FAKE_VALIDATING='validate.mustgathers.operator.openshift.io\nvalidate.mustgatherimages.operator.openshift.io\n'
export FAKE_MUTATING='mutate.mustgathers.operator.openshift.io\n'

reset_fake() { rm -rf "$FAKE_DIR"; mkdir -p "$FAKE_DIR"; touch "$FAKE_DIR/calls.log"; }
run_deploy() { PATH="$FAKE:$PATH" bash "$SCRIPT" deploy --out "$OUT" --namespace test-ns "$@"; }
calls() { cat "$FAKE_DIR/calls.log"; }
# The caBundle values of patch file $1, one per line (base64).
bundles_of() { grep -o '"value":"[^"]*"' "$1" | sed 's/"value":"//; s/"$//'; }
decoded_bundle() { bundles_of "$1" | head -1 | openssl base64 -d -A; }
cert_count() { grep -c 'BEGIN CERTIFICATE' <<<"$1"; }
sans_of() { openssl x509 -in "$1" -noout -ext subjectAltName | sed -n '2p' | tr -d ' '; }
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
manifest_secret="$(sed -n 's/^ *secretName: *//p' "$MANIFESTS/base/deployment.yaml")"

# 1. First deploy: Secret, both patches, no restart (no earlier certificate).
reset_fake
run_deploy 2>/dev/null
check "secret created with the default name from the manifests" \
  grep -q "^create secret tls $manifest_secret --namespace test-ns " "$FAKE_DIR/calls.log"
check "secret built from the serving pair, client-side only" \
  grep -q -- "--cert=$OUT/tls.crt --key=$OUT/tls.key --dry-run=client -o yaml" "$FAKE_DIR/calls.log"
check "kubectl create's output is piped to kubectl apply -f -" \
  grep -q "^# args: create secret tls $manifest_secret" "$FAKE_DIR"/applied.*.yaml
check "validating patch sets both webhooks" \
  test "$(bundles_of "$FAKE_DIR/patch.validatingwebhookconfiguration.json" | wc -l)" -eq 2
check "validating patch paths" grep -q \
  '"path":"/webhooks/0/clientConfig/caBundle".*"path":"/webhooks/1/clientConfig/caBundle"' \
  "$FAKE_DIR/patch.validatingwebhookconfiguration.json"
check "mutating patch sets its one webhook" \
  test "$(bundles_of "$FAKE_DIR/patch.mutatingwebhookconfiguration.json" | wc -l)" -eq 1
check "patch is a JSON array of add operations" grep -q '^\[{"op":"add",' \
  "$FAKE_DIR/patch.mutatingwebhookconfiguration.json"
check "caBundle is the CA" test "$(decoded_bundle "$FAKE_DIR/patch.mutatingwebhookconfiguration.json")" = \
  "$(cat "$OUT/ca.crt")"
decoded_bundle "$FAKE_DIR/patch.validatingwebhookconfiguration.json" >"$WORK/bundle.pem"
check "serving cert verifies against caBundle" openssl verify -CAfile "$WORK/bundle.pem" "$OUT/tls.crt"
check "SANs are the in-cluster Service names only" test "$(sans_of "$OUT/tls.crt")" = \
  "DNS:mustgather-webhook.test-ns.svc,DNS:mustgather-webhook.test-ns.svc.cluster.local"
check "no restart on first deploy" bash -c "! grep -q '^rollout' '$FAKE_DIR/calls.log'"
leaf_before="$(fingerprint "$OUT/tls.crt")"

# 2. Second deploy with nothing changed: same certificate, same bundle, no restart.
first_bundle="$(cat "$FAKE_DIR/patch.validatingwebhookconfiguration.json")"
reset_fake
run_deploy 2>/dev/null
check "second run keeps the serving cert" test "$(fingerprint "$OUT/tls.crt")" = "$leaf_before"
check "second run patches the same bundle" \
  test "$(cat "$FAKE_DIR/patch.validatingwebhookconfiguration.json")" = "$first_bundle"
check "second run re-applies the Secret" grep -q "^apply -f -" "$FAKE_DIR/calls.log"
check "no restart when nothing changed" bash -c "! grep -q '^rollout' '$FAKE_DIR/calls.log'"

# 3. --force: a new CA; the bundle carries the new and the old CA; the pods restart.
old_ca="$(cat "$OUT/ca.crt")"
reset_fake
run_deploy --force 2>/dev/null
new_bundle="$(decoded_bundle "$FAKE_DIR/patch.validatingwebhookconfiguration.json")"
check "after a CA change the bundle holds two CAs" test "$(cert_count "$new_bundle")" -eq 2
check "the bundle starts with the new CA" test "$(head -n "$(wc -l <"$OUT/ca.crt")" <<<"$new_bundle")" = \
  "$(cat "$OUT/ca.crt")"
check "the bundle keeps the old CA" grep -qF "$(sed -n 2p <<<"$old_ca")" <<<"$new_bundle"
check "new certificate restarts the Deployment" \
  grep -q "^rollout restart deployment mustgather-webhook --namespace test-ns" "$FAKE_DIR/calls.log"

# 4. The run after that drops the old CA again.
reset_fake
run_deploy 2>/dev/null
check "next run's bundle holds one CA" \
  test "$(cert_count "$(decoded_bundle "$FAKE_DIR/patch.validatingwebhookconfiguration.json")")" -eq 1

# 5. No restart when the Deployment is not there yet.
reset_fake
FAKE_DEPLOYMENT=no run_deploy --force 2>/dev/null
check "no restart without a Deployment" bash -c "! grep -q '^rollout' '$FAKE_DIR/calls.log'"

# 6. Webhook configurations missing: a clear error and a non-zero exit.
reset_fake
set +e
err="$(FAKE_VALIDATING='' run_deploy 2>&1 >/dev/null)"
status=$?
set -e
check "missing configuration exits non-zero" test "$status" -ne 0
check "missing configuration says to apply the manifests" grep -q "apply the manifests first" <<<"$err"

# 7. Names are configurable.
reset_fake
run_deploy --secret other-tls --webhook-config other-hooks 2>/dev/null
check "--secret names the Secret" grep -q "^create secret tls other-tls " "$FAKE_DIR/calls.log"
check "--webhook-config names the configurations" \
  grep -q "^patch validatingwebhookconfiguration other-hooks --type=json" "$FAKE_DIR/calls.log"
check "bad --secret exits 2" bash -c "bash '$SCRIPT' deploy --secret 'Bad Name'; test \$? -eq 2"

echo "$passed passed, $failed failed"
((failed == 0))
