#!/usr/bin/env bash
# Checks a control plane started by tests/openstack/up.sh with plain curl, as the escd test user:
#   eval "$(tests/openstack/up.sh)" && tests/openstack/smoke.sh
# Keystone token scoped to the escd project and its catalog; a Neutron network, subnet and port;
# a Nova flavor; a Glance image (a few KB, until `active`); a server on that image, flavor and
# port to ACTIVE, then stop, start, soft and hard reboot, delete until 404; a Cinder volume to
# `available` and deleted. Everything made is deleted again (also on failure), and listings
# check that nothing of it is left. Each step's time goes to stderr; exits 1 on any failure,
# with the reason on stderr's last line.
set -euo pipefail

for v in AUTH_URL USER PASSWORD PROJECT USER_DOMAIN PROJECT_DOMAIN REGION; do
    n=ESCD_TEST_OS_$v
    [[ -n ${!n:-} ]] || { echo "openstack/smoke: $n is not set (eval \"\$(tests/openstack/up.sh)\")" >&2; exit 1; }
done

say() { echo "openstack/smoke: $*" >&2; }
die() {
    say "FAILED: $*"
    exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
t_step=$(now)
t_all=$t_step
done_step() {
    say "$(printf '%-42s %6s s' "$1" "$(since "$t_step")")"
    t_step=$(now)
}

tmp=$(mktemp -d /tmp/escd-os-smoke.XXXXXX)
token=""
# api METHOD URL [JSON|@FILE]: sets $code and $body. Nova's calls carry its microversion
# header; only those: cinder reads "OpenStack-API-Version" too and answers 400 to a "compute" one.
api() {
    local method=$1 url=$2 data=${3:-} args=()
    [[ -n ${compute:-} && $url == "$compute"* ]] && args+=(-H 'OpenStack-API-Version: compute 2.79')
    if [[ $data == @* ]]; then
        args+=(-H 'Content-Type: application/octet-stream' --data-binary "$data")
    elif [[ -n $data ]]; then
        args+=(-H 'Content-Type: application/json' -d "$data")
    fi
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$method" --max-time 60 \
        -H "X-Auth-Token: $token" \
        -H 'Accept: application/json' "${args[@]}" "$url") || code=000
    body=$(cat "$tmp/body")
}
# expect CODE... : the last call answered one of those, or the script fails.
expect() {
    local c
    for c in "$@"; do [[ $code == "$c" ]] && return 0; done
    die "$method_desc: HTTP $code (wanted $*): ${body:0:400}"
}
call() {
    method_desc="$1 $2"
    api "$@"
}
# poll SECONDS DESCRIPTION COMMAND...: runs COMMAND every 0.2 s until it succeeds.
poll() {
    local deadline limit=$1 desc=$2
    shift 2
    deadline=$(awk -v n="$(now)" -v s="$limit" 'BEGIN { printf "%d", n + s }')
    until "$@"; do
        (($(date +%s) < deadline)) || die "$desc: not reached within $limit s (last: HTTP $code ${body:0:300})"
        sleep 0.2
    done
}

prefix=escd-smoke-$$
server="" port="" net="" flavor="" image="" volume=""
cleanup() {
    [[ -n $token ]] || return 0
    [[ -n $server ]] && api DELETE "$compute/servers/$server"
    [[ -n $volume ]] && api DELETE "$volumev3/volumes/$volume"
    if [[ -n $server ]]; then # the port stays bound until the server is gone
        for _ in $(seq 50); do
            api GET "$compute/servers/$server"
            [[ $code == 404 ]] && break
            sleep 0.2
        done
    fi
    [[ -n $port ]] && api DELETE "$network/v2.0/ports/$port"
    [[ -n $net ]] && api DELETE "$network/v2.0/networks/$net"
    [[ -n $flavor ]] && api DELETE "$compute/flavors/$flavor"
    [[ -n $image ]] && api DELETE "$image_url/v2/images/$image"
    return 0
}
trap 'cleanup >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# --- Keystone ---------------------------------------------------------------------------------
auth=$(jq -n --arg u "$ESCD_TEST_OS_USER" --arg p "$ESCD_TEST_OS_PASSWORD" \
    --arg ud "$ESCD_TEST_OS_USER_DOMAIN" --arg pr "$ESCD_TEST_OS_PROJECT" \
    --arg pd "$ESCD_TEST_OS_PROJECT_DOMAIN" \
    '{auth: {identity: {methods: ["password"],
                        password: {user: {name: $u, domain: {name: $ud}, password: $p}}},
             scope: {project: {name: $pr, domain: {name: $pd}}}}}')
code=$(curl -s -D "$tmp/headers" -o "$tmp/token.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d "$auth" "$ESCD_TEST_OS_AUTH_URL/auth/tokens") || code=000
[[ $code == 201 ]] || die "POST /v3/auth/tokens: HTTP $code: $(head -c 400 "$tmp/token.json")"
token=$(awk 'tolower($1) == "x-subject-token:" { print $2 }' "$tmp/headers" | tr -d '\r')
[[ -n $token ]] || die "no X-Subject-Token header in the token answer"
project_id=$(jq -r .token.project.id "$tmp/token.json")
done_step "keystone token (project $ESCD_TEST_OS_PROJECT)"

# endpoint TYPE: the public URL of TYPE in our region.
endpoint() {
    jq -r --arg t "$1" --arg r "$ESCD_TEST_OS_REGION" '.token.catalog[] | select(.type == $t)
        | .endpoints[] | select(.interface == "public" and .region == $r) | .url' "$tmp/token.json"
}
for t in identity image placement compute network block-storage volumev3; do
    n=$(jq --arg t "$t" --arg r "$ESCD_TEST_OS_REGION" '[.token.catalog[] | select(.type == $t)
        | .endpoints[] | select(.region == $r) | .interface] | sort | join(",")' "$tmp/token.json")
    [[ $n == '"admin,internal,public"' ]] || die "catalog: $t has interfaces $n in $ESCD_TEST_OS_REGION"
    url=$(endpoint "$t")
    [[ $url == http://127.0.0.1:* ]] || die "catalog: $t is at $url, not on 127.0.0.1"
done
compute=$(endpoint compute)
network=$(endpoint network)
image_url=$(endpoint image)
volumev3=$(endpoint volumev3)
[[ $volumev3 == */v3/$project_id ]] || die "catalog: volumev3 URL $volumev3 does not end in the project id"
done_step "catalog (7 services x 3 interfaces)"

# --- Neutron, Nova flavor, Glance image -------------------------------------------------------
call POST "$network/v2.0/networks" "$(jq -n --arg n "$prefix-net" '{network: {name: $n}}')"
expect 201
net=$(jq -r .network.id <<<"$body")
call POST "$network/v2.0/subnets" "$(jq -n --arg n "$net" --arg s "$prefix-subnet" \
    '{subnet: {name: $s, network_id: $n, ip_version: 4, cidr: "10.99.0.0/24"}}')"
expect 201
call POST "$network/v2.0/ports" "$(jq -n --arg n "$net" --arg p "$prefix-port" '{port: {name: $p, network_id: $n}}')"
expect 201
port=$(jq -r .port.id <<<"$body")
done_step "network + subnet + port"

call POST "$compute/flavors" "$(jq -n --arg n "$prefix-flavor" '{flavor: {name: $n, ram: 64, vcpus: 1, disk: 1}}')"
expect 200
flavor=$(jq -r .flavor.id <<<"$body")
done_step "flavor"

call POST "$image_url/v2/images" "$(jq -n --arg n "$prefix-image" \
    '{name: $n, disk_format: "raw", container_format: "bare", visibility: "private"}')"
expect 201
image=$(jq -r .id <<<"$body")
head -c 8192 /dev/urandom >"$tmp/image.raw"
call PUT "$image_url/v2/images/$image/file" "@$tmp/image.raw"
expect 204
image_active() { api GET "$image_url/v2/images/$image" && [[ $code == 200 && $(jq -r .status <<<"$body") == active ]]; }
poll 60 "image $image active" image_active
[[ $(jq -r .size <<<"$body") == 8192 ]] || die "image size is $(jq -r .size <<<"$body"), not 8192"
done_step "image create + upload 8 KB + active"

# --- a server through its life ----------------------------------------------------------------
# server_is STATUS: the server has that status and no task in progress.
server_is() {
    api GET "$compute/servers/$server"
    [[ $code == 200 ]] || return 1
    local st
    st=$(jq -r '.server.status + "/" + (.server["OS-EXT-STS:task_state"] // "none")' <<<"$body")
    [[ $st == ERROR/* ]] && die "server $server went to ERROR: $(jq -c .server.fault <<<"$body")"
    [[ $st == "$1/none" ]]
}
call POST "$compute/servers" "$(jq -n --arg n "$prefix-server" --arg i "$image" --arg f "$flavor" \
    --arg p "$port" '{server: {name: $n, imageRef: $i, flavorRef: $f, networks: [{port: $p}]}}')"
expect 202
server=$(jq -r .server.id <<<"$body")
poll 120 "server $server ACTIVE" server_is ACTIVE
done_step "server create -> ACTIVE"

call GET "$network/v2.0/ports/$port"
expect 200
binding=$(jq -r '.port | [.status, .device_id, .["binding:vif_type"]] | join(" ")' <<<"$body")
[[ $binding == "ACTIVE $server ovs" ]] || die "port $port is '$binding', not 'ACTIVE $server ovs'"

action() {
    call POST "$compute/servers/$server/action" "$1"
    expect 202
    poll 120 "server $server $2 after $1" server_is "$2"
}
action '{"os-stop": null}' SHUTOFF
done_step "stop -> SHUTOFF"
action '{"os-start": null}' ACTIVE
done_step "start -> ACTIVE"
action '{"reboot": {"type": "SOFT"}}' ACTIVE
done_step "soft reboot -> ACTIVE"
action '{"reboot": {"type": "HARD"}}' ACTIVE
done_step "hard reboot -> ACTIVE"

call DELETE "$compute/servers/$server"
expect 204
server_gone() { api GET "$compute/servers/$server" && [[ $code == 404 ]]; }
poll 120 "server $server deleted (404)" server_gone
server=""
done_step "server delete -> 404"

# --- a volume ---------------------------------------------------------------------------------
call POST "$volumev3/volumes" "$(jq -n --arg n "$prefix-volume" '{volume: {name: $n, size: 1}}')"
expect 202
volume=$(jq -r .volume.id <<<"$body")
volume_is() {
    api GET "$volumev3/volumes/$volume"
    [[ $code == 200 ]] || return 1
    local st
    st=$(jq -r .volume.status <<<"$body")
    [[ $st == error ]] && die "volume $volume went to error"
    [[ $st == "$1" ]]
}
poll 60 "volume $volume available" volume_is available
done_step "volume create -> available"
call DELETE "$volumev3/volumes/$volume"
expect 202
volume_gone() { api GET "$volumev3/volumes/$volume" && [[ $code == 404 ]]; }
poll 60 "volume $volume deleted (404)" volume_gone
volume=""
done_step "volume delete -> 404"

# --- clean up, and check by listing -----------------------------------------------------------
call DELETE "$network/v2.0/ports/$port"
expect 204
port=""
call DELETE "$network/v2.0/networks/$net"
expect 204
net=""
call DELETE "$compute/flavors/$flavor"
expect 202
flavor=""
call DELETE "$image_url/v2/images/$image"
expect 204
image=""
done_step "port + network + flavor + image deleted"

# left WHAT URL JQ: the listing at URL has nothing named with our prefix.
left() {
    call GET "$2"
    expect 200
    local n
    n=$(jq --arg p "$prefix" "[$3 | select(.name // \"\" | startswith(\$p))] | length" <<<"$body")
    [[ $n == 0 ]] || die "$n $1 of this run are left: $(jq -c "$3 | {id, name}" <<<"$body" | head -c 400)"
}
left servers "$compute/servers" '.servers[]'
left flavors "$compute/flavors" '.flavors[]'
left networks "$network/v2.0/networks" '.networks[]'
left subnets "$network/v2.0/subnets" '.subnets[]'
left ports "$network/v2.0/ports" '.ports[]'
left images "$image_url/v2/images" '.images[]'
left volumes "$volumev3/volumes" '.volumes[]'
done_step "listings: nothing left"
say "all passed in $(since "$t_all") s"
