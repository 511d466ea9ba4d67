#!/bin/sh
# scripts/make-test-ca.sh - a throwaway test CA, an HTTPS server
# certificate for `sealcall idp`, and X.509 person identities for
# `sealcall call|answer --cert` (tests and the demo only; never commit
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
#
#   scripts/make-test-ca.sh --person DIR NAME [EMAIL] [OPTIONS]
#   scripts/make-test-ca.sh --intermediate DIR NAME [OPTIONS]
#
# issue, from DIR's CA (made first with the form above) or from an
# intermediate made before, a certificate for a person (subject CN=NAME,
# an rfc822Name SAN EMAIL when given; keyUsage digitalSignature,
# extendedKeyUsage clientAuth and emailProtection) or for an intermediate
# CA (CA:TRUE, pathlen 0). Each writes DIR/NAME.crt (the certificate),
# DIR/NAME.key (0600) and DIR/NAME.chain (NAME.crt and the intermediates
# above it, not the root); a person also gets DIR/NAME.pem (0600): its
# certificate, its intermediates, its key, ready for --cert. OPTIONS:
#   --issuer NAME   issue from DIR/NAME.crt and NAME.key (default: the CA)
#   --no-chain      NAME.pem holds the person's certificate only (a chain
#                   that does not reach the CA unless the peer has it)
#   --expired       valid from 2020-01-01 to 2020-02-01 only
#   --not-ca        (intermediate) basicConstraints CA:FALSE: not allowed
#                   to issue, though it signs
# Every key is fresh: nothing is reused between runs. Needs the openssl CLI.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

usage() {
    echo "usage: $0 DIR DOMAIN [NAME...]" >&2
    echo "       $0 --person DIR NAME [EMAIL] [--issuer NAME] [--no-chain] [--expired]" >&2
    echo "       $0 --intermediate DIR NAME [--issuer NAME] [--expired] [--not-ca]" >&2
    exit 2
}

# sign DIR CSR EXTFILE OUT ISSUER_CRT ISSUER_KEY EXPIRED
sign() {
    if [ "$7" = yes ]; then
        # backdated: `openssl ca` takes explicit dates, `x509 -req` not
        t=$(mktemp -d "$1/.ca.XXXXXX")
        : > "$t/index.txt"
        echo 01 > "$t/serial"
        cat > "$t/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $t/index.txt
new_certs_dir = $t
serial = $t/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
CNF
        openssl ca -batch -notext -config "$t/ca.cnf" -cert "$5" \
            -keyfile "$6" -in "$2" -extfile "$3" -out "$4" \
            -startdate 20200101000000Z -enddate 20200201000000Z 2>/dev/null
        rm -rf "$t"
    else
        openssl x509 -req -in "$2" -CA "$5" -CAkey "$6" -CAcreateserial \
            -sha256 -days 7 -extfile "$3" -out "$4" 2>/dev/null
        rm -f "${5%.*}.srl"
    fi
}

issue() {
    kind=$1
    shift
    [ $# -ge 2 ] || usage
    dir=$1
    name=$2
    shift 2
    email=
    if [ "$kind" = person ] && [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
        email=$1
        shift
    fi
    issuer=ca
    chain=yes
    expired=no
    notca=no
    while [ $# -gt 0 ]; do
        case $1 in
        --issuer) [ $# -ge 2 ] || usage; issuer=$2; shift ;;
        --no-chain) chain=no ;;
        --expired) expired=yes ;;
        --not-ca) notca=yes ;;
        *) usage ;;
        esac
        shift
    done
    case $name in
    *[!A-Za-z0-9_-]*|'') echo "$0: NAME is letters, digits, - and _" >&2; exit 2 ;;
    esac
    umask 077
    if [ "$issuer" = ca ]; then
        icrt=$dir/ca.pem
    else
        icrt=$dir/$issuer.crt
    fi
    ikey=$dir/$issuer.key
    if [ ! -f "$icrt" ] || [ ! -f "$ikey" ]; then
        echo "$0: no issuer $icrt and $ikey (make the CA first)" >&2
        exit 1
    fi
    rm -f "$dir/$name.key"
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null
    openssl req -new -key "$dir/$name.key" -subj "/CN=$name" \
        -out "$dir/$name.csr"
    if [ "$kind" = person ]; then
        {
            echo "basicConstraints=critical,CA:FALSE"
            echo "keyUsage=critical,digitalSignature"
            echo "extendedKeyUsage=clientAuth,emailProtection"
            echo "subjectKeyIdentifier=hash"
            echo "authorityKeyIdentifier=keyid"
            [ -z "$email" ] || echo "subjectAltName=email:$email"
        } > "$dir/$name.ext"
    elif [ "$notca" = yes ]; then
        printf '%s\n' "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
            > "$dir/$name.ext"
    else
        printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
            "keyUsage=critical,keyCertSign,cRLSign" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
            > "$dir/$name.ext"
    fi
    sign "$dir" "$dir/$name.csr" "$dir/$name.ext" "$dir/$name.crt" \
        "$icrt" "$ikey" "$expired"
    rm -f "$dir/$name.csr" "$dir/$name.ext"
    cp "$dir/$name.crt" "$dir/$name.chain"
    if [ "$issuer" != ca ]; then
        cat "$dir/$issuer.chain" >> "$dir/$name.chain"
    fi
    if [ "$kind" = person ]; then
        if [ "$chain" = yes ]; then
            cat "$dir/$name.chain" "$dir/$name.key" > "$dir/$name.pem"
        else
            cat "$dir/$name.crt" "$dir/$name.key" > "$dir/$name.pem"
        fi
        chmod 600 "$dir/$name.pem"
    fi
    chmod 600 "$dir/$name.key"
    chmod 644 "$dir/$name.crt" "$dir/$name.chain"
}

case ${1:-} in
--person) shift; issue person "$@"; exit 0 ;;
--intermediate) shift; issue intermediate "$@"; exit 0 ;;
esac

if [ $# -lt 2 ]; then
    usage
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
# pathlen 1: one level of intermediates (--intermediate) below it
openssl req -new -x509 -key "$dir/ca.key" -sha256 -days 7 \
    -subj "/CN=sealcall throwaway test CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:1" \
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
