#!/usr/bin/env bash
# Installs what tinyrig needs when it is missing: Debian packages (as root; otherwise prints the exact apt
# command and stops) and the npm packages (npm ci when node_modules is absent or older than package-lock.json).
# Usage: scripts/ensure-deps.sh run|test
set -euo pipefail
purpose="${1:-run}"
cd "$(dirname "$0")/.."

# command-or-file -> Debian package
declare -A need=(
  [qemu-system-arm]=qemu-system-arm
  [qemu-system-riscv32]=qemu-system-misc
  [arm-none-eabi-gcc]=gcc-arm-none-eabi
  [/usr/lib/arm-none-eabi/newlib/libc.a]=libnewlib-arm-none-eabi
  [riscv64-unknown-elf-gcc]=gcc-riscv64-unknown-elf
  [/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs]=picolibc-riscv64-unknown-elf
  [make]=make
  [gcc]=gcc
  [g++]=g++
  [python3]=python3
  [udevadm]=udev
)
if [ "$purpose" = test ]; then
  need+=([chromium]=chromium [flatc]=flatbuffers-compiler [espeak-ng]=espeak-ng [socat]=socat)
fi

missing=()
for what in "${!need[@]}"; do
  if [[ "$what" == /* ]]; then [ -e "$what" ] || missing+=("${need[$what]}")
  else command -v "$what" >/dev/null 2>&1 || missing+=("${need[$what]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "tinyrig: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    $cmd >&2
  else
    echo "tinyrig: missing Debian packages. Run as root:" >&2
    echo "  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1; then
  echo "tinyrig: Node.js 20 is required (https://nodejs.org or Debian's nodejs from bookworm-backports)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then echo "tinyrig: Node.js >= 20 is required, found $(node -v)" >&2; exit 1; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "tinyrig: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
