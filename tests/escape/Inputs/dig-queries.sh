#!/bin/sh
# Run inside the sandbox by capture.test: dig asks the sandbox's resolver (the one its
# /etc/resolv.conf names), each line labelled with what was asked and the answer's status.
status() { dig +tries=1 +time=2 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
answer() { dig +tries=1 +time=2 +short "$@" | head -1; }
label=$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 60)
echo "dig-a: $(status allowed.test A) $(answer allowed.test A)"
echo "dig-txt: $(status allowed.test TXT) [$(answer allowed.test TXT)]"
echo "dig-any: $(status allowed.test ANY) [$(answer allowed.test ANY)]"
echo "dig-denied: $(status secret-data.exfil.test A)"
echo "dig-wildcard: $(status "$label.wild.test" A) $(answer "$label.wild.test" A)"
echo "dig-wildcard-txt: $(status "$label.wild.test" TXT)"
