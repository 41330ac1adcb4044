#!/usr/bin/env bash
# setup.sh - installs tcpnote's Debian 12 dependencies, builds it, and annotates the seed capture.
set -euo pipefail
cd "$(dirname "$0")/.."

# Root (CI, containers) runs apt directly; anyone else goes through sudo.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

PACKAGES=(build-essential cmake pkg-config libpcap-dev libcmocka-dev libssl-dev openssl python3 netbase
	tcpdump tshark curl socat iproute2 libcap2-bin clang libclang-rt-14-dev
	chromium libxml2-utils fonts-dejavu-core dpkg-dev file parallel jq)
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF -DTCPNOTE_WERROR=OFF >/dev/null
cmake --build build -j"$(nproc)"

echo
echo "setup: tcpnote -r pcaps/seed-keepalive.pcap"
./build/tcpnote -r pcaps/seed-keepalive.pcap
