#!/bin/sh
# certs/gen-test-cert.sh - make a throw-away DTLS test identity: a
# self-signed certificate and its unencrypted private key in ONE PEM file
# (the format sc_cert_load_pem() reads). Never commit the output.
# Usage: gen-test-cert.sh [OUT.pem] [ec|rsa]   (default: ec = ECDSA P-256)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../tests/data/certs/test-identity.pem"}
kind=${2:-ec}

case "$kind" in
ec) newkey="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
rsa) newkey="-newkey rsa:2048" ;;
*) echo "usage: $0 [OUT.pem] [ec|rsa]" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
umask 077

# shellcheck disable=SC2086
openssl req -x509 $newkey -nodes -sha256 -days 30 \
    -subj "/CN=sealcall-test" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
cat "$tmp/cert.pem" "$tmp/key.pem" > "$out"
chmod 600 "$out"

fp=$(openssl x509 -in "$out" -noout -fingerprint -sha256 | sed 's/^.*=//')
echo "wrote $out"
echo "a=fingerprint:sha-256 $fp"
