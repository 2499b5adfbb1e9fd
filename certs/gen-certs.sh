#!/usr/bin/env bash
# Development TLS material for mustgather-webhook: a CA and a serving
# certificate for the webhook Service, both with ECDSA P-256 keys.
# Never used for production; the output directory is git-ignored.
set -euo pipefail

readonly PROG="${0##*/}"
readonly LEAF_DAYS=365
readonly CA_DAYS=3650
# A leaf closer than this to expiry is reissued (30 days, in seconds).
readonly RENEW_BEFORE_SECONDS=$((30 * 24 * 3600))

MODE="generate"
OUT_DIR="certs/dev"
NAMESPACE="mustgather-webhook"
SERVICE="mustgather-webhook"
FORCE=0

usage() {
  cat <<EOF
Usage: $PROG [generate] [options]

Creates a development CA and a serving certificate for the webhook Service:
  <out>/ca.crt  <out>/ca.key  <out>/tls.crt  <out>/tls.key   (keys are mode 0600)

The serving certificate is valid for $LEAF_DAYS days, has serverAuth, CA:FALSE and the SANs
  localhost, 127.0.0.1, <service>.<namespace>.svc, <service>.<namespace>.svc.cluster.local

Existing files are kept while they are still usable: the CA is reused if it is
valid and matches its key; the serving certificate is reissued only if it is
missing, expires within 30 days, does not chain to the CA, does not match its
key, or names different SANs.

Options:
  -o, --out DIR          output directory (default: certs/dev)
  -n, --namespace NS     namespace of the webhook Service (default: mustgather-webhook)
  -s, --service NAME     name of the webhook Service (default: mustgather-webhook)
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
      generate) MODE="$1" ;;
      -o | --out) need_value "$@"; OUT_DIR="$2"; shift ;;
      -n | --namespace) need_value "$@"; NAMESPACE="$2"; shift ;;
      -s | --service) need_value "$@"; SERVICE="$2"; shift ;;
      -f | --force) FORCE=1 ;;
      -h | --help) usage; exit 0 ;;
      *) usage_error "unknown argument: $1" ;;
    esac
    shift
  done
  local label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
  [[ "$NAMESPACE" =~ $label ]] || usage_error "namespace is not a DNS label: $NAMESPACE"
  [[ "$SERVICE" =~ $label ]] || usage_error "service name is not a DNS label: $SERVICE"
}

# The SANs the serving certificate must carry, in openssl extension syntax.
wanted_sans() {
  local svc="$SERVICE.$NAMESPACE.svc"
  printf 'DNS:localhost,IP:127.0.0.1,DNS:%s,DNS:%s.cluster.local' "$svc" "$svc"
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

main() {
  command -v openssl >/dev/null || die "the openssl command is required"
  parse_args "$@"
  # Each mode is one function; a later "deploy" mode (Secret + caBundle) adds a case here.
  case "$MODE" in
    generate) generate ;;
  esac
}

main "$@"
