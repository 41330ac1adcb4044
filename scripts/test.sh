#!/usr/bin/env bash
# test.sh - builds tcpnote with AddressSanitizer and UBSan and runs the whole CTest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# The project's own builds turn warnings into errors; the default build (setup.sh, a user's, a
# packager's) leaves TCPNOTE_WERROR off.
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DTCPNOTE_SANITIZE=ON -DTCPNOTE_WERROR=ON >/dev/null
cmake --build build-test -j"$(nproc)"

# The live test captures on lo: root can, anyone else grants the binary the
# capture capabilities once, through sudo, as one would for tcpdump.
if [ "$(id -u)" -ne 0 ]; then
	sudo setcap cap_net_raw,cap_net_admin=eip build-test/tcpnote
fi

ctest --test-dir build-test --output-on-failure -j"$(nproc)"

# The libFuzzer harnesses, built with clang, ASan and UBSan, each run for 60 s
# from seeds made of pcaps/ (TCPNOTE_FUZZ_SECONDS changes the time).
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCPNOTE_FUZZ=ON -DTCPNOTE_WERROR=ON \
	-DTCPNOTE_FUZZ_SECONDS="${TCPNOTE_FUZZ_SECONDS:-60}" >/dev/null
cmake --build build-fuzz -j"$(nproc)"
ctest --test-dir build-fuzz --output-on-failure -j"$(nproc)"
