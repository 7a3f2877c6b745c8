#!/usr/bin/env bash
# Starts the real servers the tests need — Mosquitto, InfluxDB 1.x and Redis — on project-owned ports, with data
# in a temporary directory. Installs Debian's packages when they are missing (as root).
#   scripts/services.sh up | down | status | env | install
# `up` is idempotent: servers already answering are left as they are. `env` prints the variables tests read.
set -euo pipefail

MQTT_PORT="${SANDGLASS_TEST_MQTT_PORT:-18830}"
INFLUX_PORT="${SANDGLASS_TEST_INFLUX_PORT:-18086}"
INFLUX_RPC_PORT="$((INFLUX_PORT + 2))"
# Redis follows the broker's port (18830 → 16379), so runs on other ports never share one.
REDIS_PORT="${SANDGLASS_TEST_REDIS_PORT:-$((MQTT_PORT - 2451))}"
STATE_DIR="${SANDGLASS_SERVICES_DIR:-${TMPDIR:-/tmp}/sandglass-services-$MQTT_PORT}"

log() { printf '[services] %s\n' "$*" >&2; }

missing_packages() {
  local missing=()
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  command -v influxd >/dev/null 2>&1 || [ -x /usr/bin/influxd ] || missing+=(influxdb)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  echo "${missing[@]:-}"
}

install_packages() {
  local missing
  missing="$(missing_packages)"
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $missing"
    log "install them with: sudo apt-get install -y $missing   (or set SANDGLASS_SKIP_SERVICES=1 to skip the tests that need them)"
    return 1
  fi
  log "installing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # Debian's packages start their own daemons on the default ports; the project uses its own instances.
  for unit in influxdb redis-server; do
    if command -v service >/dev/null 2>&1; then service "$unit" stop >/dev/null 2>&1 || true; fi
  done
}

mqtt_up() { (exec 3<>"/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null; }
influx_up() { curl -fsS -o /dev/null "http://127.0.0.1:$INFLUX_PORT/ping" 2>/dev/null; }

start_mosquitto() {
  mqtt_up && return 0
  mkdir -p "$STATE_DIR/mosquitto"
  # Started as root, Mosquitto drops to its own user, which must be able to write its persistence file.
  chmod 777 "$STATE_DIR" "$STATE_DIR/mosquitto"
  cat >"$STATE_DIR/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $STATE_DIR/mosquitto/
# A subscriber that falls behind (ingest at full speed, or restarting) must not lose QoS 1 messages the
# broker already acknowledged: queue up to 10M messages or 2 GiB per client.
max_queued_messages 10000000
max_queued_bytes 2147483648
max_inflight_messages 1000
set_tcp_nodelay true
log_dest file $STATE_DIR/mosquitto.log
pid_file $STATE_DIR/mosquitto.pid
CONF
  local bin
  bin="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
  "$bin" -c "$STATE_DIR/mosquitto.conf" -d
  for _ in $(seq 1 100); do mqtt_up && return 0; sleep 0.1; done
  log "mosquitto did not start; see $STATE_DIR/mosquitto.log"
  return 1
}

start_influxd() {
  influx_up && return 0
  mkdir -p "$STATE_DIR/influxdb"
  cat >"$STATE_DIR/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$STATE_DIR/influxdb/meta"
[data]
  dir = "$STATE_DIR/influxdb/data"
  wal-dir = "$STATE_DIR/influxdb/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
CONF
  local bin
  bin="$(command -v influxd || echo /usr/bin/influxd)"
  nohup "$bin" -config "$STATE_DIR/influxdb.conf" >"$STATE_DIR/influxd.log" 2>&1 &
  echo $! >"$STATE_DIR/influxd.pid"
  for _ in $(seq 1 300); do influx_up && return 0; sleep 0.1; done
  log "influxd did not start; see $STATE_DIR/influxd.log"
  return 1
}

redis_up() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  redis_up && return 0
  mkdir -p "$STATE_DIR/redis"
  # socket.io's Redis adapter uses pub/sub only: no persistence.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$STATE_DIR/redis" \
    --daemonize yes --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log"
  for _ in $(seq 1 100); do redis_up && return 0; sleep 0.1; done
  log "redis-server did not start; see $STATE_DIR/redis.log"
  return 1
}

stop_all() {
  if [ -f "$STATE_DIR/redis.pid" ]; then
    kill "$(cat "$STATE_DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -f "$STATE_DIR/influxd.pid" ]; then
    kill "$(cat "$STATE_DIR/influxd.pid")" 2>/dev/null || true
    rm -f "$STATE_DIR/influxd.pid"
  fi
  pkill -f "mosquitto -c $STATE_DIR/mosquitto.conf" 2>/dev/null || true
  for _ in $(seq 1 50); do (mqtt_up || influx_up || redis_up) || break; sleep 0.1; done
  rm -rf "$STATE_DIR"
}

print_env() {
  echo "SANDGLASS_TEST_MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT"
  echo "SANDGLASS_TEST_INFLUX_URL=http://127.0.0.1:$INFLUX_PORT"
  echo "SANDGLASS_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "SANDGLASS_TEST_SERVICES_DIR=$STATE_DIR"
}

case "${1:-status}" in
  install) install_packages ;;
  up)
    install_packages
    start_mosquitto
    start_influxd
    start_redis
    log "mosquitto on 127.0.0.1:$MQTT_PORT, influxd on 127.0.0.1:$INFLUX_PORT, redis on 127.0.0.1:$REDIS_PORT, data in $STATE_DIR"
    print_env
    ;;
  down) stop_all ;;
  status)
    mqtt_up && echo "mosquitto: up on $MQTT_PORT" || echo "mosquitto: down"
    influx_up && echo "influxd: up on $INFLUX_PORT" || echo "influxd: down"
    redis_up && echo "redis: up on $REDIS_PORT" || echo "redis: down"
    ;;
  env) print_env ;;
  *)
    echo "usage: $0 up|down|status|env|install" >&2
    exit 2
    ;;
esac
