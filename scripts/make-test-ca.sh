#!/bin/sh
# scripts/make-test-ca.sh - a throwaway test CA and an HTTPS server
# certificate for `sealcall idp` (tests and the demo only; never commit
# what it writes).
#
#   scripts/make-test-ca.sh DIR DOMAIN [NAME...]
#
# writes, in DIR (made 0700 if missing):
#   ca.pem      the CA certificate: give it to clients (--ca, Firefox policy)
#   ca.key      the CA key (0600)
#   server.pem  a certificate for DOMAIN (and each NAME; an IP address
#               becomes an IP SAN), ECDSA P-256, serverAuth, 7 days
#   server.key  its key (0600)
# Every key is fresh: nothing is reused between runs. Needs the openssl CLI.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 DIR DOMAIN [NAME...]" >&2
    exit 2
fi
dir=$1
domain=$2
shift 2
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

san="DNS:$domain"
for n in "$@"; do
    case $n in
    *[!0-9.]*) san="$san,DNS:$n" ;;
    *) san="$san,IP:$n" ;;
    esac
done

rm -f "$dir/ca.key" "$dir/server.key"
openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key" 2>/dev/null
openssl req -new -x509 -key "$dir/ca.key" -sha256 -days 7 \
    -subj "/CN=sealcall throwaway test CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem"

openssl ecparam -name prime256v1 -genkey -noout -out "$dir/server.key" 2>/dev/null
openssl req -new -key "$dir/server.key" -subj "/CN=$domain" \
    -out "$dir/server.csr"
cat > "$dir/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" \
    -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 7 \
    -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
chmod 600 "$dir/ca.key" "$dir/server.key"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
