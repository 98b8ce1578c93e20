#!/bin/sh
# usage: test-certificates.sh DIR: a test authority (DIR/ca.pem) standing in for the host's
# trust store, a certificate it signs for the upstreams api.test and git.test (DIR/leaf.pem,
# DIR/leaf.key), and a self-signed one no store trusts, for rogue.test (DIR/rogue.pem,
# DIR/rogue.key). P-256 keys: quick to make.
set -e
cd "$1"
curve="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
openssl req -x509 $curve -keyout ca.key -out ca.pem -subj /CN=shellrt-test-authority -days 2 2>/dev/null
openssl req $curve -keyout leaf.key -out leaf.csr -subj /CN=api.test 2>/dev/null
printf 'subjectAltName=DNS:api.test,DNS:git.test\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2 -extfile leaf.ext 2>/dev/null
openssl req -x509 $curve -keyout rogue.key -out rogue.pem -subj /CN=rogue.test -addext subjectAltName=DNS:rogue.test -days 2 2>/dev/null
chmod 644 ./*.pem ./*.key
