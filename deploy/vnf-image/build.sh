#!/usr/bin/env bash
# Builds the escd VNF image (if not cached) and prints its absolute path on stdout, nothing else.
#
# The image is a tiny bootable raw disk for escd's real-VM tests and benchmarks: a Debian cloud
# kernel and a busybox initramfs whose /init (deploy/vnf-image/init) applies escd's day-0 config
# drive and answers ping; see README.md here. It is made from Debian packages only, without
# installing them on this host (busybox-static would replace busybox), and without root mounts
# or loop devices: the packages are fetched with `apt-get download` and unpacked with
# `dpkg-deb -x`, the disk is a FAT "superfloppy" (no partition table) filled with mtools and
# made bootable with `syslinux --install`. SeaBIOS boots it as a read-only virtio disk.
#
# Cache: ${ESCD_VNF_CACHE:-${XDG_CACHE_HOME:-~/.cache}/escd/vnf-image}/<key>/escd-vnf.img, the
# key naming the kernel package, the busybox package and a hash of this directory's image
# inputs (all files but *.md and smoke.sh), so a changed /init rebuilds. A build works in a
# temporary directory and renames the finished image into place: a killed build leaves no
# half image.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${ESCD_VNF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/escd/vnf-image}

# The kernel command line. console=ttyS0: the progress lines; quiet: serial output is slow under
# TCG; cryptomgr.notests (no crypto self-tests) and nokaslr (no kernel relocation) together save
# about 10% of the boot under TCG. Others measured and left out: README.md.
cmdline="console=ttyS0 quiet cryptomgr.notests nokaslr"
# The modules /init loads (with what they depend on); built-in ones are skipped. ext4 (which
# mounts the ext2 state disk) is built into the Debian cloud kernel; it is named for a kernel
# where it is not.
wanted_modules=(virtio_pci virtio_blk virtio_net button evdev ext4)
# The dynamically linked programs of the image, taken from their Debian packages with the ELF
# interpreter and the shared libraries they need, from the packages they depend on (see "dynamic
# programs" below): the SSH server of the device emulator and its key generator; e2fsck, which
# repairs the state disk's ext2 file system after a hard stop.
dynamic_pkgs=(dropbear-bin e2fsprogs)
dynamic_programs=(usr/sbin/dropbear usr/bin/dropbearkey sbin/e2fsck)

say() { echo "vnf-image: $*" >&2; }
die() {
    say "$*"
    exit 1
}

"$repo/deploy/apt-install-missing.sh" vnf-image mtools dosfstools syslinux syslinux-common cpio binutils g++

# --- what to build: the newest cloud kernel and busybox-static known to apt -----------------------
# One apt-cache call (~0.6 s here: this apt keeps no pkgcache.bin); its answer is remembered
# until the package lists change, so that a cached image is found at once.
lists_stamp=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -printf '%f %s %T@\n' 2>/dev/null |
    LC_ALL=C sort | sha256sum | cut -c1-16)
resolved=$cache/apt-resolution
read -r stamp kernel_pkg kernel_version busybox_version 2>/dev/null <"$resolved" || stamp=
if [[ $stamp != "$lists_stamp" ]]; then
    # linux-image-cloud-amd64 depends on exactly one versioned linux-image-<abi>-cloud-amd64 (=
    # VERSION); its candidate is what apt would install.
    read -r kernel_pkg kernel_version busybox_version < <(
        apt-cache show --no-all-versions linux-image-cloud-amd64 busybox-static 2>/dev/null | awk '
            /^Package:/ { package = $2 }
            package == "busybox-static" && /^Version:/ { busybox = $2 }
            package == "linux-image-cloud-amd64" && /^Depends:/ {
                if (match($0, /linux-image-[0-9][^ ,]*-cloud-amd64 \(= [^)]*\)/)) {
                    split(substr($0, RSTART, RLENGTH), dep, /[ ()=]+/)
                    kernel = dep[1]; version = dep[2]
                }
            }
            END { if (kernel != "" && version != "" && busybox != "") print kernel, version, busybox }'
    ) || true
    [[ -n ${busybox_version:-} ]] || die "apt knows no linux-image-cloud-amd64 or busybox-static (run apt-get update?)"
    mkdir -p "$cache"
    echo "$lists_stamp $kernel_pkg $kernel_version $busybox_version" >"$resolved.$$"
    mv -f "$resolved.$$" "$resolved"
fi
# The dynamic programs' packages, in a file of their own (apt-resolution keeps the format other
# checkouts of this script read): the same stamp, the package list asked for, the answer.
dynamic_list=${dynamic_pkgs[*]}
dynamic_list=${dynamic_list// /,}
resolved_dynamic=$cache/apt-resolution-dynamic
read -r stamp asked dynamic_set 2>/dev/null <"$resolved_dynamic" || stamp=
if [[ $stamp != "$lists_stamp" || ${asked:-} != "$dynamic_list" || -z ${dynamic_set:-} ]]; then
    # The packages of the dynamic programs and, transitively, the packages they depend on (first
    # alternatives), as pkg=version,pkg=version: where the ELF interpreter and the shared
    # libraries come from. One apt-cache call per level of the dependency tree.
    declare -A seen_pkg=()
    dynamic_set=
    level=("${dynamic_pkgs[@]}")
    while ((${#level[@]})); do
        next=()
        while read -r pkg version deps; do
            [[ -n ${seen_pkg[$pkg]:-} ]] && continue
            seen_pkg[$pkg]=1
            dynamic_set+=${dynamic_set:+,}$pkg=$version
            for dep in ${deps//,/ }; do [[ -n ${seen_pkg[$dep]:-} ]] || next+=("$dep"); done
        done < <(apt-cache show --no-all-versions "${level[@]}" 2>/dev/null | awk '
            /^Package:/ { package = $2; version = ""; deps = "" }
            /^Version:/ { version = $2 }
            /^(Pre-)?Depends:/ {
                line = $0; sub(/^[^:]*:/, "", line)
                n = split(line, alternatives, ",")
                for (i = 1; i <= n; i++) {
                    dep = alternatives[i]; sub(/\|.*/, "", dep); sub(/\(.*/, "", dep)
                    sub(/:any/, "", dep); gsub(/ /, "", dep)
                    if (dep != "") deps = deps "," dep
                }
            }
            /^$/ && package != "" { print package, version, deps; package = "" }
            END { if (package != "") print package, version, deps }')
        level=("${next[@]}")
    done
    for pkg in "${dynamic_pkgs[@]}"; do
        [[ ,$dynamic_set == *",$pkg="* ]] || die "apt knows no $pkg (run apt-get update?)"
    done
    mkdir -p "$cache"
    echo "$lists_stamp $dynamic_list $dynamic_set" >"$resolved_dynamic.$$"
    mv -f "$resolved_dynamic.$$" "$resolved_dynamic"
fi
kernel_release=${kernel_pkg#linux-image-}

# The image inputs: this directory's files (but the docs and the smoke checks), the device
# emulator's sources and build script, and the package set of the dynamic programs.
inputs_hash=$(
    {
        cd "$here"
        find . -maxdepth 1 -type f ! -name '*.md' ! -name '*smoke.sh' -print0 | LC_ALL=C sort -z |
            xargs -0 sha256sum
        cd "$repo/tools/xr-device"
        find build.sh src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
        echo "$dynamic_set"
    } | sha256sum | cut -c1-12
)
dropbear_version=${dynamic_set#*dropbear-bin=}
dropbear_version=${dropbear_version%%,*}
key=$(echo "$kernel_release-$kernel_version-busybox-$busybox_version-dropbear-$dropbear_version-$inputs_hash" |
    tr -c 'A-Za-z0-9._+\n-' _)
image=$cache/$key/escd-vnf.img
if [[ -s $image ]]; then
    echo "$image"
    exit 0
fi

# --- build -------------------------------------------------------------------------------------
started=$(date +%s.%N)
mkdir -p "$cache"
# Leftovers of builds killed by SIGKILL (any other end removes its own).
find "$cache" -mindepth 1 -maxdepth 1 -name '.build.*' -mmin +60 -exec rm -rf {} +
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
say "building $key"

mkdir "$work/debs"
sandbox=()
# Downloading as root, apt drops to the _apt user, who may not write to a 0700 directory.
[[ $(id -u) -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root)
# shellcheck disable=SC2086 # one argument per package
(cd "$work/debs" && apt-get download -q=2 "${sandbox[@]}" "$kernel_pkg=$kernel_version" \
    "busybox-static=$busybox_version" ${dynamic_set//,/ }) >&2 ||
    die "apt-get download failed (stale lists? run apt-get update)"
dpkg-deb -x "$work"/debs/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/debs/busybox-static_*.deb "$work/busybox"
busybox=$work/busybox/bin/busybox
modules=$work/kernel/lib/modules/$kernel_release
vmlinuz=$work/kernel/boot/vmlinuz-$kernel_release
[[ -x $busybox && -d $modules && -f $vmlinuz ]] || die "unexpected package contents"
# The dynamic programs' packages and their dependencies, unpacked together: the "sysroot" their
# libraries come from.
sysroot=$work/sysroot
for deb in "$work"/debs/*.deb; do
    case ${deb##*/} in linux-image-* | busybox-static_*) continue ;; esac
    dpkg-deb -x "$deb" "$sysroot"
done

# The device emulator, static (it reads /etc/passwd itself, no NSS).
# tools/xr-device/build.sh --static writes tools/xr-device/build/escd-xr-device; one newer than
# its sources and without an ELF interpreter (static) is taken as it is.
xr_device=$repo/tools/xr-device/build/escd-xr-device
if [[ ! -x $xr_device ]] || readelf -l "$xr_device" | grep -q 'program interpreter' ||
    [[ -n $(find "$repo/tools/xr-device/src" "$repo/tools/xr-device/build.sh" -newer "$xr_device" -print -quit) ]]; then
    say "building escd-xr-device (static)"
    xr_device=$("$repo/tools/xr-device/build.sh" --static)
fi
[[ -x $xr_device ]] || die "tools/xr-device/build.sh built nothing"

# --- initramfs -----------------------------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,day0,etc/escd-vnf,lib/modules}
ln -s bin "$root/sbin"
mkdir "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$here/init" "$root/init"

# --- the device emulator, the dynamic programs, the wrappers ---------------------------------------
strip -o "$root/bin/escd-xr-device" "$xr_device"
# The path of a file inside the sysroot, its symlinks resolved inside the sysroot (Debian's
# /lib64/ld-linux-x86-64.so.2 is an absolute link, which must not lead to this host's file).
in_sysroot() { # PATH (relative to the sysroot, no leading /)
    local path=$1 target hops=0
    while [[ -L $sysroot/$path ]] && ((hops++ < 20)); do
        target=$(readlink "$sysroot/$path")
        if [[ $target == /* ]]; then path=${target#/}; else path=$(dirname "$path")/$target; fi
    done
    [[ -f $sysroot/$path ]] && echo "$path"
}
# A library by its DT_NEEDED name, in the directories ld.so searches without a cache.
find_library() { # SONAME
    local dir
    for dir in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib usr/lib; do
        [[ -e $sysroot/$dir/$1 || -L $sysroot/$dir/$1 ]] && { echo "$dir/$1"; return 0; }
    done
    return 1
}
# The programs go to /bin. Their ELF interpreter (PT_INTERP) and every shared library they need,
# transitively (DT_NEEDED, read with readelf), are copied from the sysroot to the same paths in
# the initramfs.
declare -A copied=()
elf_queue=()
for binary in "${dynamic_programs[@]}"; do
    [[ -f $sysroot/$binary ]] || die "no $binary in ${dynamic_pkgs[*]}"
    cp "$sysroot/$binary" "$root/bin/"
    elf_queue+=("$sysroot/$binary")
    interp=$(readelf -l "$sysroot/$binary" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
    [[ $interp == /* ]] || die "$binary names no ELF interpreter"
    # Keyed by file name, as DT_NEEDED names it (libc.so.6 needs ld-linux-x86-64.so.2 too).
    [[ -n ${copied[${interp##*/}]:-} ]] && continue
    copied[${interp##*/}]=1
    real=$(in_sysroot "${interp#/}") || die "the ELF interpreter $interp is in none of the packages"
    mkdir -p "$root/$(dirname "$interp")"
    cp "$sysroot/$real" "$root$interp"
done
while ((${#elf_queue[@]})); do
    elf=${elf_queue[0]}
    elf_queue=("${elf_queue[@]:1}")
    for soname in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
        [[ -n ${copied[$soname]:-} ]] && continue
        copied[$soname]=1
        link=$(find_library "$soname") || die "$soname (needed by ${elf##*/}) is in none of: ${dynamic_set//,/ }"
        real=$(in_sysroot "$link") || die "$link is a dangling link"
        mkdir -p "$root/$(dirname "$link")"
        cp "$sysroot/$real" "$root/$link"
        elf_queue+=("$sysroot/$real")
    done
done
say "dynamic programs' interpreter and libraries: $interp $(cd "$root" && find lib usr/lib -name '*.so*' 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')"

# The login shell of the day-0 device user (dropbear runs it as `xr-shell -c COMMAND` for an
# exec request, as `-xr-shell` for an interactive session) and telnetd's login program. /init
# mounts the state at /state; the emulator's state directory is /state/device.
cat >"$root/bin/xr-shell" <<'SH'
#!/bin/sh
exec /bin/escd-xr-device --state /state/device "$@"
SH
cat >"$root/bin/xr-telnet-login" <<'SH'
#!/bin/sh
exec /bin/escd-xr-device --login --state /state/device
SH
chmod 0755 "$root/bin/xr-shell" "$root/bin/xr-telnet-login"
mkdir -p "$root/state" "$root/root"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
# dropbear accepts only a login shell listed here; glibc (dropbear's getpwnam) reads the files.
echo /bin/xr-shell >"$root/etc/shells"
printf 'passwd: files\ngroup: files\nshadow: files\n' >"$root/etc/nsswitch.conf"
: >"$root/etc/issue.net"
ln -s /proc/mounts "$root/etc/mtab" # e2fsck looks there for mounted file systems
cat >"$root/etc/inittab" <<'INITTAB'
# busybox init takes over PID 1 once /init has set the guest up: it reaps orphans and powers
# off on SIGUSR2 (SIGTERM: reboot). Nothing to (re)spawn.
::ctrlaltdel:/bin/poweroff -f
::shutdown:/bin/sync
INITTAB

# The Debian package ships no modules.dep (its postinst runs depmod); busybox's depmod makes one.
# Its lines list a module's dependencies transitively, so a module has more of them than any
# module it needs: loading in order of that count respects every dependency.
"$busybox" depmod -b "$work/kernel" "$kernel_release"
declare -A needed=()
for name in "${wanted_modules[@]}"; do
    if grep -q "/$name\.ko\$" "$modules/modules.builtin"; then
        continue
    fi
    line=$(grep -m1 "/$name\.ko:" "$modules/modules.dep") || die "no module $name in $kernel_pkg"
    for path in ${line/:/}; do needed[$path]=1; done
done
for path in "${!needed[@]}"; do
    count=$(grep -m1 "^$path:" "$modules/modules.dep" | wc -w)
    name=$(basename "$path" .ko)
    cp "$modules/$path" "$root/lib/modules/$name.ko"
    echo "$count $name"
done | sort -n -k1,1 -k2,2 | awk '{ print $2 }' >"$root/etc/escd-vnf/modules"
say "modules: $(tr '\n' ' ' <"$root/etc/escd-vnf/modules")"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
    gzip -9n >"$work/initrd.gz"

# --- the disk: a FAT superfloppy with syslinux -----------------------------------------------------
cat >"$work/syslinux.cfg" <<CFG
DEFAULT escd-vnf
PROMPT 0
TIMEOUT 0
LABEL escd-vnf
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND $cmdline
CFG
payload_kib=$((($(stat -c %s "$vmlinuz") + $(stat -c %s "$work/initrd.gz")) / 1024))
# + 1 MiB for ldlinux.sys/.c32 (~180 KiB), the FATs and slack.
disk=$work/escd-vnf.img
mkfs.fat -C -n ESCD-VNF -i 45534344 "$disk" $((payload_kib + 1024)) >/dev/null
mcopy -i "$disk" "$vmlinuz" ::vmlinuz
mcopy -i "$disk" "$work/initrd.gz" ::initrd.gz
mcopy -i "$disk" "$work/syslinux.cfg" ::syslinux.cfg
syslinux --install "$disk"
chmod 0644 "$disk"

mkdir -p "$cache/$key"
mv -T "$disk" "$image"
say "built $image ($(($(stat -c %s "$image") / 1024)) KiB, initramfs $(($(stat -c %s "$work/initrd.gz") / 1024)) KiB)" \
    "in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
echo "$image"
