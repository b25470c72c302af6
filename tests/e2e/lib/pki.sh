# A throwaway PKI made with the openssl CLI at run time: one test CA and
# server certificates it signs. ECDSA P-256 keeps generation fast. Nothing is
# ever added to a system trust store; clients are pointed at the files.

# e2e_pki_ca DIR SUBJECT_CN: writes DIR/ca.crt and DIR/ca.key.
e2e_pki_ca() {
  local dir=$1 cn=$2
  mkdir -p "$dir"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 -subj "/O=warden e2e/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$dir/openssl.log" ||
    e2e_die "creating the test CA failed: $(cat "$dir/openssl.log")"
}

# e2e_pki_server DIR NAME: writes DIR/NAME.crt and DIR/NAME.key for the DNS
# name NAME, signed by DIR/ca.*.
e2e_pki_server() {
  local dir=$1 name=$2
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>"$dir/openssl.log" ||
    e2e_die "creating the key for $name failed: $(cat "$dir/openssl.log")"
  printf '%s\n' "subjectAltName=DNS:$name" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>"$dir/openssl.log" ||
    e2e_die "signing the certificate for $name failed: $(cat "$dir/openssl.log")"
}

# Subject of a certificate in openssl's one-line form ("O = ..., CN = ...").
e2e_cert_subject() {
  openssl x509 -in "$1" -noout -subject -nameopt oneline | sed 's/^subject=//'
}
