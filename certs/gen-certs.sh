#!/usr/bin/env bash
# TLS material for mustgather-webhook: a CA and a serving certificate for the
# webhook Service, both with ECDSA P-256 keys. `generate` writes development files
# (git-ignored); `deploy` also installs them in the cluster with kubectl.
set -euo pipefail

readonly PROG="${0##*/}"
readonly LEAF_DAYS=365
readonly CA_DAYS=3650
# A leaf closer than this to expiry is reissued (30 days, in seconds).
readonly RENEW_BEFORE_SECONDS=$((30 * 24 * 3600))

MODE="generate"
OUT_DIR=""
NAMESPACE="mustgather-webhook"
SERVICE="mustgather-webhook"
SECRET="mustgather-webhook-tls"
WEBHOOK_CONFIG="mustgather-webhook"
DEPLOYMENT="mustgather-webhook"
FORCE=0

usage() {
  cat <<EOF
Usage: $PROG [generate|deploy] [options]

generate (the default) creates a development CA and a serving certificate for the
webhook Service (default output directory certs/dev):
  <out>/ca.crt  <out>/ca.key  <out>/tls.crt  <out>/tls.key   (keys are mode 0600)
The serving certificate is valid for $LEAF_DAYS days, has serverAuth, CA:FALSE and the SANs
  localhost, 127.0.0.1, <service>.<namespace>.svc, <service>.<namespace>.svc.cluster.local

deploy does the same for the in-cluster Service (default output directory
certs/deploy; SANs <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local
only), then, with kubectl and the current kubeconfig context:
  1. applies the TLS Secret <secret> in <namespace> (created or updated);
  2. patches the CA into clientConfig.caBundle of every webhook in the
     ValidatingWebhookConfiguration and MutatingWebhookConfiguration <config>
     (apply manifests/ first); after a CA change the bundle holds the new and the
     previous CA, so pods still serving the old certificate stay trusted;
  3. restarts Deployment <deployment> when it replaced an earlier serving
     certificate, so the pods load the new one.
Keep the output directory: the next run reuses its CA, so caBundle stays unchanged.

Existing files are kept while they are still usable: the CA is reused if it is
valid and matches its key; the serving certificate is reissued only if it is
missing, expires within 30 days, does not chain to the CA, does not match its
key, or names different SANs.

Options:
  -o, --out DIR          output directory (default: certs/dev, or certs/deploy for deploy)
  -n, --namespace NS     namespace of the webhook Service (default: mustgather-webhook)
  -s, --service NAME     name of the webhook Service (default: mustgather-webhook)
      --secret NAME      deploy: the TLS Secret (default: mustgather-webhook-tls)
      --webhook-config NAME
                         deploy: both webhook configurations (default: mustgather-webhook)
      --deployment NAME  deploy: the Deployment to restart (default: mustgather-webhook)
  -f, --force            regenerate the CA and the serving certificate
  -h, --help             show this help
EOF
}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage_error() { log "$*"; log "try '$PROG --help'"; exit 2; }

need_value() {
  if (($# < 2)) || [[ -z "$2" ]]; then usage_error "$1 needs a value"; fi
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      generate | deploy) MODE="$1" ;;
      -o | --out) need_value "$@"; OUT_DIR="$2"; shift ;;
      -n | --namespace) need_value "$@"; NAMESPACE="$2"; shift ;;
      -s | --service) need_value "$@"; SERVICE="$2"; shift ;;
      --secret) need_value "$@"; SECRET="$2"; shift ;;
      --webhook-config) need_value "$@"; WEBHOOK_CONFIG="$2"; shift ;;
      --deployment) need_value "$@"; DEPLOYMENT="$2"; shift ;;
      -f | --force) FORCE=1 ;;
      -h | --help) usage; exit 0 ;;
      *) usage_error "unknown argument: $1" ;;
    esac
    shift
  done
  local label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
  [[ "$NAMESPACE" =~ $label ]] || usage_error "namespace is not a DNS label: $NAMESPACE"
  [[ "$SERVICE" =~ $label ]] || usage_error "service name is not a DNS label: $SERVICE"
  local name='^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'
  local n
  for n in "$SECRET" "$WEBHOOK_CONFIG" "$DEPLOYMENT"; do
    [[ "$n" =~ $name ]] || usage_error "not a valid object name: $n"
  done
  if [[ -z "$OUT_DIR" ]]; then
    if [[ "$MODE" == deploy ]]; then OUT_DIR="certs/deploy"; else OUT_DIR="certs/dev"; fi
  fi
}

# The SANs the serving certificate must carry, in openssl extension syntax. An
# in-cluster certificate names only the Service; a development one also localhost.
wanted_sans() {
  local svc="$SERVICE.$NAMESPACE.svc"
  if [[ "$MODE" == deploy ]]; then
    printf 'DNS:%s,DNS:%s.cluster.local' "$svc" "$svc"
  else
    printf 'DNS:localhost,IP:127.0.0.1,DNS:%s,DNS:%s.cluster.local' "$svc" "$svc"
  fi
}

# The SANs a certificate carries, normalised to the syntax of wanted_sans.
cert_sans() {
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
    sed -n '2,$p' | tr -d ' \n' | sed 's/IPAddress:/IP:/g'
}

new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$1" 2>/dev/null)
  chmod 0600 "$1"
}

key_matches_cert() {
  [[ "$(openssl pkey -in "$2" -pubout 2>/dev/null)" == \
     "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" ]]
}

ca_usable() {
  local crt="$OUT_DIR/ca.crt" key="$OUT_DIR/ca.key"
  [[ -s "$crt" && -s "$key" ]] &&
    openssl x509 -in "$crt" -noout -checkend "$RENEW_BEFORE_SECONDS" >/dev/null 2>&1 &&
    key_matches_cert "$crt" "$key"
}

leaf_usable() {
  local crt="$OUT_DIR/tls.crt" key="$OUT_DIR/tls.key"
  [[ -s "$crt" && -s "$key" ]] &&
    openssl x509 -in "$crt" -noout -checkend "$RENEW_BEFORE_SECONDS" >/dev/null 2>&1 &&
    openssl verify -CAfile "$OUT_DIR/ca.crt" "$crt" >/dev/null 2>&1 &&
    key_matches_cert "$crt" "$key" &&
    [[ "$(cert_sans "$crt")" == "$(wanted_sans)" ]]
}

make_ca() {
  log "creating CA in $OUT_DIR"
  new_key "$OUT_DIR/ca.key"
  openssl req -x509 -new -sha256 -days "$CA_DAYS" -key "$OUT_DIR/ca.key" \
    -subj "/CN=$SERVICE development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$OUT_DIR/ca.crt" 2>/dev/null
}

make_leaf() {
  log "creating serving certificate for $SERVICE.$NAMESPACE.svc in $OUT_DIR"
  local csr
  csr="$(mktemp)"
  new_key "$OUT_DIR/tls.key"
  openssl req -new -sha256 -key "$OUT_DIR/tls.key" -subj "/CN=$SERVICE.$NAMESPACE.svc" \
    -out "$csr" 2>/dev/null
  openssl x509 -req -sha256 -days "$LEAF_DAYS" -in "$csr" \
    -CA "$OUT_DIR/ca.crt" -CAkey "$OUT_DIR/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -extfile <(leaf_extensions) -out "$OUT_DIR/tls.crt" 2>/dev/null
  rm -f "$csr"
}

leaf_extensions() {
  cat <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $(wanted_sans)
EOF
}

generate() {
  mkdir -p "$OUT_DIR"
  if ((FORCE)) || ! ca_usable; then
    make_ca
    make_leaf
  elif ! leaf_usable; then
    make_leaf
  else
    log "keeping the existing CA and serving certificate in $OUT_DIR (--force regenerates)"
  fi
  chmod 0600 "$OUT_DIR/ca.key" "$OUT_DIR/tls.key"
  openssl verify -CAfile "$OUT_DIR/ca.crt" "$OUT_DIR/tls.crt" >/dev/null ||
    die "the new serving certificate does not verify against the CA"
}

# Prints the SHA-256 fingerprint of certificate file $1, or nothing if it is unusable.
fingerprint_of() {
  [[ -s "$1" ]] && openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null || true
}

# Creates or updates the kubernetes.io/tls Secret from the serving certificate and key.
apply_secret() {
  log "applying Secret $NAMESPACE/$SECRET"
  kubectl create secret tls "$SECRET" --namespace "$NAMESPACE" \
    --cert="$OUT_DIR/tls.crt" --key="$OUT_DIR/tls.key" --dry-run=client -o yaml |
    kubectl apply -f - >/dev/null
}

# Sets clientConfig.caBundle (base64 of $1) on every webhook of configuration kind $2.
patch_ca_bundle() {
  local bundle="$1" kind="$2" names count i ops=""
  names="$(kubectl get "$kind" "$WEBHOOK_CONFIG" \
    -o jsonpath='{range .webhooks[*]}{.name}{"\n"}{end}')" ||
    die "cannot read $kind $WEBHOOK_CONFIG; apply the manifests first (kubectl apply -k manifests/)"
  count="$(grep -c . <<<"$names" || true)"
  ((count > 0)) || die "$kind $WEBHOOK_CONFIG has no webhooks"
  for ((i = 0; i < count; i++)); do
    ops+="${ops:+,}{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$bundle\"}"
  done
  log "patching caBundle into $kind $WEBHOOK_CONFIG ($count webhooks)"
  kubectl patch "$kind" "$WEBHOOK_CONFIG" --type=json -p "[$ops]" >/dev/null
}

deploy() {
  command -v kubectl >/dev/null || die "the kubectl command is required for deploy"
  local old_ca="" old_leaf new_leaf bundle
  [[ -s "$OUT_DIR/ca.crt" ]] && old_ca="$(cat "$OUT_DIR/ca.crt")"
  old_leaf="$(fingerprint_of "$OUT_DIR/tls.crt")"
  generate
  new_leaf="$(fingerprint_of "$OUT_DIR/tls.crt")"
  apply_secret
  bundle="$(cat "$OUT_DIR/ca.crt")"
  if [[ -n "$old_ca" && "$old_ca" != "$bundle" ]]; then
    log "the CA changed; caBundle keeps the previous CA until the next run"
    bundle+=$'\n'"$old_ca"
  fi
  bundle="$(printf '%s\n' "$bundle" | openssl base64 -A)"
  patch_ca_bundle "$bundle" validatingwebhookconfiguration
  patch_ca_bundle "$bundle" mutatingwebhookconfiguration
  if [[ -n "$old_leaf" && "$old_leaf" != "$new_leaf" ]] &&
    kubectl get deployment "$DEPLOYMENT" --namespace "$NAMESPACE" >/dev/null 2>&1; then
    log "restarting Deployment $NAMESPACE/$DEPLOYMENT to load the new certificate"
    kubectl rollout restart deployment "$DEPLOYMENT" --namespace "$NAMESPACE" >/dev/null
  fi
}

main() {
  command -v openssl >/dev/null || die "the openssl command is required"
  parse_args "$@"
  case "$MODE" in
    generate) generate ;;
    deploy) deploy ;;
  esac
}

main "$@"
