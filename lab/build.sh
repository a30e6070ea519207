#!/usr/bin/env bash
# Provision the real-kernel IPVS lab: Debian's own kernel + a small initramfs, booted by QEMU.
#
#   bash lab/build.sh            # idempotent; prints LVS_LAB_DIR=... as its last line
#   LAB_REBUILD=1 bash lab/build.sh   # force a rebuild of the initramfs tree
#
# Produces in lab/build/ (gitignored):
#   vmlinuz          the kernel that linux-image-amd64 depends on
#   vmlinux          the same kernel uncompressed (ELF, PVH boot: ~2x faster under TCG)
#   base.cpio.gz     busybox, ipvsadm, keepalived (VRRP), iproute2's ip, shared libs, IPVS + network modules, /init
#   manifest.json    kernel/ipvsadm versions, module list, schedulers present
# lab/vm.ts appends a per-run cpio (the test script and files) to base.cpio.gz and boots it.
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${LAB}/build"
DEBS="${BUILD}/debs"
EXTRACT="${BUILD}/extract"
TREE="${BUILD}/tree"
STAMP="${BUILD}/.stamp"

die() { echo "lab/build.sh: error: $*" >&2; exit 1; }
note() { echo "lab/build.sh: $*" >&2; }

mkdir -p "${BUILD}"
exec 9>"${BUILD}/.lock"
flock 9

# ------------------------------------------------------------------ host tools
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null 2>&1 || need_pkgs+=(cpio)
if ((${#need_pkgs[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    die "missing host packages: ${need_pkgs[*]}. Install them as root: apt-get install -y ${need_pkgs[*]}"
  fi
  note "installing ${need_pkgs[*]} (apt-get)"
  if ! flock /tmp/apt.lock apt-get install -y "${need_pkgs[@]}" >&2; then
    flock /tmp/apt.lock apt-get update >&2 || true
    flock /tmp/apt.lock apt-get install -y "${need_pkgs[@]}" >&2 ||
      die "apt-get install -y ${need_pkgs[*]} failed"
  fi
fi
for tool in apt-get apt-cache dpkg-deb ldd gzip find flock; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; this script needs a Debian host (apt, dpkg, libc-bin)"
done

# ------------------------------------------------------------------ which kernel
kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
[[ -n "$kpkg" ]] || die "cannot resolve the kernel package of linux-image-amd64 (run 'apt-get update' as root first)"

script_hash="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
want_stamp="${kpkg} ${script_hash}"
if [[ -z "${LAB_REBUILD:-}" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${want_stamp}" &&
      -f "${BUILD}/base.cpio.gz" && -f "${BUILD}/vmlinuz" ]]; then
  note "up to date (${kpkg})"
  echo "LVS_LAB_DIR=${BUILD}"
  exit 0
fi

# ------------------------------------------------------------------ packages (apt-get download needs no root)
pkgs=("$kpkg" busybox-static ipvsadm libnl-3-200 libnl-genl-3-200 libpopt0)
# keepalived (VRRP for the HA lab, lab/failover*.ts) and the libraries Debian builds it against; the
# rest of what ldd names (libssl, libperl via libsnmp, ...) is copied from the host
pkgs+=(keepalived libsnmp40 libsnmp-base libnftnl11 libpcre2-8-0 libglib2.0-0 libmnl0 libsystemd0 libpci3 libsensors5 libwrap0)
if [[ ! -x /usr/sbin/ip && ! -x /sbin/ip && ! -x /bin/ip ]]; then
  pkgs+=(iproute2 libbpf1 libbsd0 libcap2 libelf1 libmnl0 libmd0 zlib1g libselinux1 libxtables12 libtirpc3 libdb5.3)
fi
mkdir -p "${DEBS}"
missing=()
for p in "${pkgs[@]}"; do
  compgen -G "${DEBS}/${p}_*.deb" >/dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
  note "apt-get download ${missing[*]}"
  (cd "${DEBS}" && apt-get download "${missing[@]}" >&2) ||
    die "apt-get download ${missing[*]} failed (needs network access to the Debian mirror and 'apt-get update')"
fi

rm -rf "${EXTRACT}" "${TREE}"
mkdir -p "${EXTRACT}"
for p in "${pkgs[@]}"; do
  for deb in "${DEBS}/${p}"_*.deb; do dpkg-deb -x "$deb" "${EXTRACT}"; done
done

vmlinuz="$(ls "${EXTRACT}"/boot/vmlinuz-* | head -n1)"
[[ -f "$vmlinuz" ]] || die "no boot/vmlinuz-* in ${kpkg}"
kver="${vmlinuz##*/vmlinuz-}"
kmods="${EXTRACT}/lib/modules/${kver}/kernel"
[[ -d "$kmods" ]] || die "no modules directory ${kmods}"
cp "$vmlinuz" "${BUILD}/vmlinuz"
# The uncompressed ELF kernel boots through QEMU's PVH entry and skips the in-guest decompression,
# which under TCG emulation takes ~4 s of a ~6.5 s boot. vm.ts falls back to vmlinuz without it.
rm -f "${BUILD}/vmlinux"
xz_off="$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1 || true)"
if [[ -n "$xz_off" ]] && command -v xz >/dev/null 2>&1 &&
   tail -c +"$((xz_off + 1))" "$vmlinuz" > "${BUILD}/vmlinux.xz" &&
   xz -dc --single-stream < "${BUILD}/vmlinux.xz" > "${BUILD}/vmlinux.tmp" 2>/dev/null &&
   [[ "$(head -c4 "${BUILD}/vmlinux.tmp" | od -An -c | tr -d ' ')" == '177ELF' ]]; then
  mv "${BUILD}/vmlinux.tmp" "${BUILD}/vmlinux"
  rm -f "${BUILD}/vmlinux.xz"
else
  rm -f "${BUILD}/vmlinux.tmp" "${BUILD}/vmlinux.xz"
  note "could not extract an ELF vmlinux from ${vmlinuz##*/} (needs xz); booting the bzImage (slower)"
fi

# ------------------------------------------------------------------ initramfs tree
mkdir -p "${TREE}"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,run,tmp,etc,root,var/www,lib/modules}
ln -s ../run "${TREE}/var/run"

bb="${EXTRACT}/bin/busybox"
[[ -x "$bb" ]] || die "busybox-static did not provide /bin/busybox"
cp "$bb" "${TREE}/bin/busybox"
for applet in $("$bb" --list); do
  [[ "$applet" == busybox ]] && continue
  [[ -e "${TREE}/bin/${applet}" ]] || ln -s busybox "${TREE}/bin/${applet}"
done

# copy a dynamically linked binary plus every shared library ldd resolves (extracted packages first)
libpath="${EXTRACT}/lib/x86_64-linux-gnu:${EXTRACT}/usr/lib/x86_64-linux-gnu"
copy_with_libs() {
  local src="$1" dst="$2" line lib
  cp "$src" "${TREE}${dst}"
  while read -r line; do
    case "$line" in
      *"not found"*) die "ldd ${src}: ${line} (install the package that provides it, or add it to pkgs in lab/build.sh)" ;;
      *"=> /"*) lib="${line#*=> }"; lib="${lib%% (*}" ;;
      /*) lib="${line%% (*}" ;;
      *) continue ;;
    esac
    local target="/lib/x86_64-linux-gnu/${lib##*/}"
    [[ "$lib" == */ld-linux-x86-64.so.2 ]] && target="/lib64/ld-linux-x86-64.so.2"
    mkdir -p "${TREE}$(dirname "$target")"
    [[ -e "${TREE}${target}" ]] || cp -L "$lib" "${TREE}${target}"
  done < <(LD_LIBRARY_PATH="$libpath" ldd "$src")
}
copy_with_libs "${EXTRACT}/sbin/ipvsadm" /usr/sbin/ipvsadm
keepalived_bin=""
for c in "${EXTRACT}/usr/sbin/keepalived" "${EXTRACT}/sbin/keepalived"; do
  if [[ -x "$c" ]]; then keepalived_bin="$c"; break; fi
done
[[ -n "$keepalived_bin" ]] || die "keepalived package did not provide sbin/keepalived"
copy_with_libs "$keepalived_bin" /usr/sbin/keepalived
host_ip=""
for c in "${EXTRACT}/sbin/ip" "${EXTRACT}/bin/ip" /usr/sbin/ip /sbin/ip /bin/ip; do
  if [[ -x "$c" ]]; then host_ip="$c"; break; fi
done
[[ -n "$host_ip" ]] || die "iproute2's ip not found"
copy_with_libs "$(readlink -f "$host_ip")" /usr/sbin/ip

# ------------------------------------------------------------------ kernel modules in dependency order
declare -A ko_path=() ko_done=()
while IFS= read -r f; do
  n="${f##*/}"; n="${n%%.ko*}"; n="${n//-/_}"
  ko_path[$n]="$f"
done < <(find "$kmods" -name '*.ko*')

order=()
add_module() {
  local name="${1//-/_}" dep deps
  [[ -n "${ko_done[$name]:-}" ]] && return 0
  local f="${ko_path[$name]:-}"
  [[ -n "$f" ]] || return 1
  ko_done[$name]=1
  case "$f" in
    *.ko.xz) deps="$(xz -dc "$f" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1)" ;;
    *.ko.zst) deps="$(zstd -dc "$f" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1)" ;;
    *) deps="$(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | head -n1)" ;;
  esac
  for dep in ${deps//,/ }; do
    add_module "$dep" || die "module ${name} depends on ${dep}, which ${kpkg} does not ship"
  done
  order+=("$name")
}

# crc32c implementation for libcrc32c (a soft dependency, so not in depends=)
add_module crc32c_generic || die "crc32c_generic module missing"
add_module ip_vs || die "ip_vs module missing from ${kpkg}"
schedulers=()
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; do
  if add_module "ip_vs_${s}"; then schedulers+=("$s"); fi
done
add_module ip_vs_pe_sip || note "ip_vs_pe_sip not available (--pe sip will fail)"
for m in dummy veth tunnel4 ip_tunnel ipip llc stp bridge virtio_pci virtio_net e1000; do
  add_module "$m" || die "module ${m} missing from ${kpkg}"
done

: > "${TREE}/lib/modules/load.list"
for name in "${order[@]}"; do
  f="${ko_path[$name]}"
  case "$f" in
    *.ko.xz) xz -dc "$f" > "${TREE}/lib/modules/${name}.ko" ;;
    *.ko.zst) zstd -dc "$f" > "${TREE}/lib/modules/${name}.ko" ;;
    *) cp "$f" "${TREE}/lib/modules/${name}.ko" ;;
  esac
  echo "${name}.ko" >> "${TREE}/lib/modules/load.list"
done

# ------------------------------------------------------------------ /init and small config
cat > "${TREE}/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "${TREE}/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost" > "${TREE}/etc/hosts"

cat > "${TREE}/init" <<'EOF'
#!/bin/sh
# Lab VM init: mount, load modules, run /lab/test.sh between markers, power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
mkdir -p /run/netns
dmesg -n 1
while read -r m; do
  insmod "/lib/modules/$m" 2>/tmp/insmod.err || { echo "LAB-MODULE-FAIL $m: $(cat /tmp/insmod.err)"; }
done < /lib/modules/load.list
ip link set lo up
if [ -f /lab/net ]; then
  for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
fi
cd /root
echo "@@LAB-BEGIN@@"
sh /lab/test.sh </dev/null 2>&1
rc=$?
echo "@@LAB-END rc=$rc@@"
# the host kills QEMU once it has read the end marker; powering off at once could cut the console
# output still queued in the UART, so this is only the fallback
sleep 5
poweroff -f
EOF
chmod 755 "${TREE}/init"

# ------------------------------------------------------------------ archive + manifest
(cd "${TREE}" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 > "${BUILD}/base.cpio.gz.tmp")
mv "${BUILD}/base.cpio.gz.tmp" "${BUILD}/base.cpio.gz"

ipvsadm_ver="$(dpkg-deb -f "$(ls "${DEBS}"/ipvsadm_*.deb | head -n1)" Version)"
keepalived_ver="$(dpkg-deb -f "$(ls "${DEBS}"/keepalived_*.deb | head -n1)" Version)"
{
  printf '{\n  "kernelPackage": "%s",\n  "kernelVersion": "%s",\n  "ipvsadmVersion": "%s",\n  "keepalivedVersion": "%s",\n' "$kpkg" "$kver" "$ipvsadm_ver" "$keepalived_ver"
  printf '  "schedulers": [%s],\n' "$(printf '"%s",' "${schedulers[@]}" | sed 's/,$//')"
  printf '  "modules": [%s]\n}\n' "$(printf '"%s",' "${order[@]}" | sed 's/,$//')"
} > "${BUILD}/manifest.json"

rm -rf "${EXTRACT}"
echo "$want_stamp" > "${STAMP}"
note "built ${kpkg} (${kver}), ${#order[@]} modules, schedulers: ${schedulers[*]}; base.cpio.gz $(du -h "${BUILD}/base.cpio.gz" | cut -f1)"
echo "LVS_LAB_DIR=${BUILD}"
