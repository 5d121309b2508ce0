#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main end-to-end example: a Private Processing
# deployment on loopback, one process per party (witness, log, issuer, VMs, gateway, relay),
# a client asking for a summary of a group chat, and one refusal (a VM whose measurement is
# not in the log is never sent the request). Everything is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ppx_install_deps
BUILD="${PPX_BUILD_DIR:-build}"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"${PPX_JOBS:-2}" --target ppx_example_private_processing
PP="$BUILD/examples/ppx_example_private_processing"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

say() { printf '\n== %s\n' "$*"; }

# start NAME ARGS...: runs one party, waits for its {"listening": "HOST:PORT"} line, and sets
# ADDR to http://HOST:PORT.
start() {
  local name="$1"; shift
  "$PP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  PIDS+=("$!")
  for _ in $(seq 1 200); do
    if [ -s "$WORK/$name.out" ]; then break; fi
    if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then echo "$name failed to start:"; cat "$WORK/$name.log"; exit 1; fi
    sleep 0.05
  done
  ADDR="http://$(sed -n 's/.*"listening": *"\([^"]*\)".*/\1/p' "$WORK/$name.out" | head -1)"
  printf '   %-10s %s\n' "$name" "$ADDR"
}

say "Setting up keys (simulated AMD SEV-SNP chip; 2 VMs on the approved image, 1 on an unapproved one)"
"$PP" setup --out "$WORK/deployment.json" --vms 2 --rogue-vms 1 >/dev/null
D="$WORK/deployment.json"

STORE=memory
if [ -n "${PPX_REDIS_URL:-}" ]; then
  STORE="$PPX_REDIS_URL"
elif command -v redis-server >/dev/null; then
  for port in $(seq 26379 26479); do
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
      PIDS+=("$!")
      for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
      STORE="redis://127.0.0.1:$port"
      break
    fi
  done
fi

say "Starting the parties (each its own process, HTTP on loopback)"
start witness witness --deployment "$D" --listen 127.0.0.1:0; WITNESS="$ADDR"
start log log --deployment "$D" --listen 127.0.0.1:0 --witness "$WITNESS"; LOG="$ADDR"
start issuer issuer --deployment "$D" --listen 127.0.0.1:0; ISSUER="$ADDR"
start vm0 vm --deployment "$D" --index 0 --listen 127.0.0.1:0 --log "$LOG"; VM0="$ADDR"
start vm1 vm --deployment "$D" --index 1 --listen 127.0.0.1:0 --log "$LOG"; VM1="$ADDR"
start vm-rogue vm --deployment "$D" --index 2 --listen 127.0.0.1:0 --log "$LOG"; VMR="$ADDR"
start gateway gateway --deployment "$D" --listen 127.0.0.1:0 --log "$LOG" --vm "$VM0" --vm "$VM1" --store "$STORE"; GW="$ADDR"
start relay relay --listen 127.0.0.1:0 --gateway "$GW/gateway"; RELAY="$ADDR"
echo "   spend store: $STORE"

say "A client asks for a summary of a group chat"
"$PP" client --deployment "$D" --directory "$GW" --issuer "$ISSUER" --relay "$RELAY/relay"

say "Refusal: a gateway replica that routes only to a VM whose measurement is not in the log"
start gateway-b gateway --deployment "$D" --listen 127.0.0.1:0 --log "$LOG" --vm "$VMR" --store "$STORE"; GWB="$ADDR"
start relay-b relay --listen 127.0.0.1:0 --gateway "$GWB/gateway"; RELAYB="$ADDR"
if "$PP" client --deployment "$D" --directory "$GWB" --issuer "$ISSUER" --relay "$RELAYB/relay"; then
  echo "UNEXPECTED: the client accepted an unapproved VM"; exit 1
fi
if grep -q "opened a request" "$WORK/vm-rogue.log"; then
  echo "UNEXPECTED: the unapproved VM received a request"; exit 1
fi
echo "   the unapproved VM received no request (its log: $(grep -c . "$WORK/vm-rogue.log") line(s), none a request)"

say "What each party saw"
for n in witness log issuer gateway relay vm0 vm1 vm-rogue gateway-b; do sed "s/^/   /" "$WORK/$n.log"; done

say "Done; stopping everything"
