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
# The modules /init loads (with what they depend on); built-in ones are skipped.
wanted_modules=(virtio_pci virtio_blk virtio_net button evdev)

say() { echo "vnf-image: $*" >&2; }
die() {
    say "$*"
    exit 1
}

"$repo/deploy/apt-install-missing.sh" vnf-image mtools dosfstools syslinux syslinux-common cpio

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
kernel_release=${kernel_pkg#linux-image-}

inputs_hash=$(
    cd "$here"
    find . -maxdepth 1 -type f ! -name '*.md' ! -name smoke.sh -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -c1-12
)
key=$(echo "$kernel_release-$kernel_version-busybox-$busybox_version-$inputs_hash" | tr -c 'A-Za-z0-9._+\n-' _)
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
(cd "$work/debs" && apt-get download -q=2 "${sandbox[@]}" "$kernel_pkg=$kernel_version" \
    "busybox-static=$busybox_version") >&2 || die "apt-get download failed (stale lists? run apt-get update)"
dpkg-deb -x "$work"/debs/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/debs/busybox-static_*.deb "$work/busybox"
busybox=$work/busybox/bin/busybox
modules=$work/kernel/lib/modules/$kernel_release
vmlinuz=$work/kernel/boot/vmlinuz-$kernel_release
[[ -x $busybox && -d $modules && -f $vmlinuz ]] || die "unexpected package contents"

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
