#!/usr/bin/env bash
# Catalogue benchmark of escd (issue 18; see bench/README.md, "Catalogue"). From the repo root,
# after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-catalogue.sh
#
# Imports a catalogue of IMAGES images (PRODUCTS products, 10 releases each, the rest images)
# plus two images with files of SMALL_MB and FILE_MB random bytes, then measures on 127.0.0.1:
#   - the Software Distribution API's metadata queries (one keep-alive client, escd_bench_accept
#     load with a bearer token): pidrelease latest, pidrelease above (a page of 25), pidimage,
#     p50/p99;
#   - the download of the FILE_MB file with 1 and CLIENTS concurrent curl clients, over HTTP and
#     HTTPS, from escd (its download URL with the bearer) and from nginx (Debian's package,
#     sendfile on, serving the same file), side by side: MiB/s in all;
#   - escd's memory: its VmRSS peak (sampled every 0.1 s) while CLIENTS clients download the
#     SMALL_MB file, and while they download the FILE_MB file.
# and prints the target lines
#   TARGET metadata p99 < 10 ms: PASS|FAIL (X ms)
#   TARGET download <proto> <n> client(s) >= 80% of nginx: PASS|FAIL (X%)   (four lines)
#   TARGET memory flat (peak with FILE_MB files - peak with SMALL_MB files < 32 MiB): PASS|FAIL
#
# Environment: BUILD_DIR (build/release), IMAGES (10000), PRODUCTS (100), FILE_MB (1024),
# SMALL_MB (64), CLIENTS (8), DURATION (10), WARMUP (2), LOG_LEVEL (WARN).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-build/release}
IMAGES=${IMAGES:-10000}
PRODUCTS=${PRODUCTS:-100}
FILE_MB=${FILE_MB:-1024}
SMALL_MB=${SMALL_MB:-64}
CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
LOG_LEVEL=${LOG_LEVEL:-WARN}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}
bench_name=run-catalogue
pgbin=/usr/lib/postgresql/15/bin
accept_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass
db=escd_catalogue
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ -x $escd_bin && -x $accept_bin ]] || die "build $BUILD_DIR first (see the header)"
command -v jq >/dev/null || die "jq is missing (deploy/install-deps.sh installs it)"
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    log "installing nginx (Debian's package)"
    sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null ||
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null
    # The package starts a system nginx on port 80; this benchmark runs its own.
    "${sudo[@]}" systemctl stop nginx 2>/dev/null || true
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/escd-bench-catalogue.XXXXXX)
chmod 755 "$work"
escd_pid='' nginx_pid='' pg_dir='' sampler_pid=''
cleanup() {
    local status=$?
    trap - EXIT
    stop_pid "$sampler_pid"
    stop_pid "$nginx_pid"
    stop_pid "$escd_pid"
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

start_postgres 0
psql_ -d postgres -c "CREATE DATABASE $db"
start_escd --server.https_port=0 --catalogue.max_file_mb=$((FILE_MB + 1))
https_port=$(sed -n 's/.*https=\([0-9]*\).*/\1/p' "$work/ready")
escd=http://127.0.0.1:$port
escd_tls=https://127.0.0.1:$https_port
admin=(-u "admin:$admin_password")

# --- the catalogue --------------------------------------------------------------------------
import=$data_dir/files/import
mkdir -p "$import"
log "writing the files: ${SMALL_MB} MiB and ${FILE_MB} MiB of random bytes"
head -c $((SMALL_MB << 20)) /dev/urandom >"$import/small.bin"
head -c $((FILE_MB << 20)) /dev/urandom >"$import/big.bin"
per_release=$((IMAGES / PRODUCTS / 10))
((per_release >= 1)) || die "IMAGES must be at least 10 x PRODUCTS"
awk -v products="$PRODUCTS" -v per_release="$per_release" 'BEGIN {
    printf "{\"softwareTypes\":[{\"softwareTypeId\":\"280000001\",\"name\":\"VNF Software\"}],"
    printf "\"products\":[{\"pid\":\"FILES\",\"mdfId\":\"1\"}"
    for (p = 0; p < products; p++) printf ",{\"pid\":\"P-%04d\",\"mdfId\":\"%d\"}", p, 286000000 + p
    printf "],\"releases\":["
    printf "{\"pid\":\"FILES\",\"softwareTypeId\":\"280000001\",\"version\":\"1.0\",\"images\":["
    printf "{\"name\":\"small.bin\",\"file\":\"small.bin\"},{\"name\":\"big.bin\",\"file\":\"big.bin\"}]}"
    for (p = 0; p < products; p++)
        for (r = 0; r < 10; r++) {
            printf ",{\"pid\":\"P-%04d\",\"softwareTypeId\":\"280000001\",\"operatingPlatform\":\"Linux\",", p
            printf "\"version\":\"%d.%d.0\",\"fcsDate\":\"2026-%02d-01\",\"images\":[", 7 + int(r / 5), r % 5, r + 1
            for (i = 0; i < per_release; i++)
                printf "%s{\"name\":\"p%04d-r%d-image-%d.bin\",\"description\":\"image %d\"}", (i ? "," : ""), p, r, i, i
            printf "]}"
        }
    printf "]}"
}' >"$import/manifest.json"
start=$SECONDS
report=$(curl -sf "${admin[@]}" -H 'Content-Type: application/json' \
    -d "{\"directory\":\"$import\"}" "$escd/catalogue/v1/import") || die "the import failed"
echo "imported in $((SECONDS - start)) s: $report"
echo "catalogue: $(psql_ -d "$db" -At -c "SELECT count(*) FROM catalogue_images") images"

client=$(curl -sf "${admin[@]}" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
    "$escd/catalogue/v1/clients")
token=$(curl -sf -d "grant_type=client_credentials&client_id=$(jq -r .clientId <<<"$client")&client_secret=$(jq -r .clientSecret <<<"$client")" \
    "$escd/oauth2/default/v1/token" | jq -r .access_token)
[[ -n $token && $token != null ]] || die "no token"

# --- metadata -------------------------------------------------------------------------------
results=()
query() {
    local name=$1 path=$2 body=$3 out
    out=$("$accept_bin" load --port "$port" --connections 1 --duration-s "$DURATION" \
        --warmup-s "$WARMUP" --name "$name" --bearer "$token" --path "POST:$path" \
        --json "$body" 2>"$work/$name.err") || true
    out=$(grep -m1 '^RESULT ' <<<"$out") || { cat "$work/$name.err" >&2; die "$name: no result"; }
    echo "$out"
    results+=("$out")
}
query pidrelease-latest /software/v4.0/metadata/pidrelease \
    '{"pid":"P-0042","currentReleaseVersion":"7.0.0","outputReleaseVersion":"latest"}'
query pidrelease-above /software/v4.0/metadata/pidrelease \
    '{"pid":"P-0042","currentReleaseVersion":"7.0.0","outputReleaseVersion":"above","perPage":"25"}'
query pidimage /software/v4.0/metadata/pidimage \
    '{"pid":"P-0042","imageNames":["p0042-r3-image-1.bin","p0042-r9-image-2.bin"]}'
worst=0
for r in "${results[@]}"; do
    [[ $(field errors "$r") == 0 ]] || die "errors in: $r"
    worst=$(calc 'print (b > a) ? b : a' a="$worst" b="$(field p99_ms "$r")")
done
metadata_verdict=$(calc 'print (w < 10) ? "PASS" : "FAIL"' w="$worst")

# --- downloads ------------------------------------------------------------------------------
# The download URL of `name` for this client, plain: its path and query.
download_path() {
    local name=$1 trans guid
    trans=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"pid\":\"FILES\",\"imageNames\":[\"$name\"]}" "$escd/software/v4.0/metadata/pidimage")
    guid=$(jq -r '.metadata[0].products[0].softwareTypes[0].operatingSystems[0].releases[0].images[0].imageGuid' <<<"$trans")
    curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"pid\":\"FILES\",\"mdfId\":\"1\",\"metadataTransId\":\"$(jq -r .metadataTransId <<<"$trans")\",\"imageGuids\":[\"$guid\"]}" \
        "$escd/software/v4.0/download/pidimage" | jq -r '.downloads[0].url' | sed 's|^https\?://[^/]*||'
}
big_path="$(download_path big.bin)&access_token=$token"
small_path="$(download_path small.bin)&access_token=$token"

# nginx on the same files, with a self-signed certificate for HTTPS.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/nginx.key" -out "$work/nginx.crt" 2>/dev/null
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nginx_tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
user_line=''
[[ $(id -u) -eq 0 ]] && user_line='user root;'
cat >"$work/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        listen 127.0.0.1:$nginx_tls_port ssl;
        ssl_certificate $work/nginx.crt;
        ssl_certificate_key $work/nginx.key;
        root $import;
    }
}
EOF
"$nginx_bin" -c "$work/nginx.conf" -p "$work/nginx" -g 'daemon off;' 2>"$work/nginx.err" &
nginx_pid=$!
for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/small.bin" && break
    kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx.err" >&2; die "nginx exited"; }
    sleep 0.1
done

# rate N URL: MiB/s of N concurrent curl downloads of URL (each checked whole).
rate() {
    local n=$1 url=$2 expected=$3 start_ns end_ns pids=() i
    start_ns=$(date +%s%N)
    for i in $(seq "$n"); do
        curl -sfk -o /dev/null -w '%{size_download}\n' "$url" >"$work/dl.$i" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || die "a download of $url failed"; done
    end_ns=$(date +%s%N)
    for i in $(seq "$n"); do
        [[ $(cat "$work/dl.$i") == "$expected" ]] || die "a download of $url got $(cat "$work/dl.$i") bytes"
    done
    calc 'printf "%.0f", n * bytes / 1048576 / ((e - s) / 1e9)' n="$n" bytes="$expected" e="$end_ns" s="$start_ns"
}
big_bytes=$((FILE_MB << 20))
small_bytes=$((SMALL_MB << 20))
download_lines=()
for proto in http https; do
    for n in 1 "$CLIENTS"; do
        if [[ $proto == http ]]; then
            ours=$(rate "$n" "$escd$big_path" "$big_bytes")
            theirs=$(rate "$n" "http://127.0.0.1:$nginx_port/big.bin" "$big_bytes")
        else
            ours=$(rate "$n" "$escd_tls$big_path" "$big_bytes")
            theirs=$(rate "$n" "https://127.0.0.1:$nginx_tls_port/big.bin" "$big_bytes")
        fi
        pct=$(ratio_pct "$ours" "$theirs")
        echo "download $proto, $n client(s): escd $ours MiB/s, nginx $theirs MiB/s ($pct%)"
        download_lines+=("TARGET download $proto $n client(s) >= 80% of nginx: $(calc 'print (p + 0 >= 80) ? "PASS" : "FAIL"' p="$pct") ($pct%)")
    done
done

# --- memory ---------------------------------------------------------------------------------
# peak_rss N URL BYTES: escd's VmRSS peak (MiB) while N clients download URL.
peak_rss() {
    local peak_file=$work/peak
    echo 0 >"$peak_file"
    (
        peak=0
        while :; do
            now=$(mem_kb "$escd_pid" VmRSS)
            ((now > peak)) && peak=$now && echo "$peak" >"$peak_file"
            sleep 0.1
        done
    ) &
    sampler_pid=$!
    rate "$1" "$2" "$3" >/dev/null
    stop_pid "$sampler_pid"
    sampler_pid=''
    echo $(($(cat "$peak_file") / 1024))
}
idle_rss=$(($(mem_kb "$escd_pid" VmRSS) / 1024))
small_peak=$(peak_rss "$CLIENTS" "$escd$small_path" "$small_bytes")
big_peak=$(peak_rss "$CLIENTS" "$escd$big_path" "$big_bytes")
echo "escd VmRSS: idle $idle_rss MiB, peak $small_peak MiB with $CLIENTS x ${SMALL_MB} MiB, $big_peak MiB with $CLIENTS x ${FILE_MB} MiB"

echo
echo "TARGET metadata p99 < 10 ms: $metadata_verdict ($worst ms)"
printf '%s\n' "${download_lines[@]}"
echo "TARGET memory flat (peak with ${FILE_MB} MiB files - peak with ${SMALL_MB} MiB files < 32 MiB): $(calc 'print (b - s < 32) ? "PASS" : "FAIL"' b="$big_peak" s="$small_peak") ($((big_peak - small_peak)) MiB)"
