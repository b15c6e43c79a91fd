# Starts what the tests need, when it is not already there, and exports where it is:
#   KEEL_TEST_DATABASE_URL   a Postgres login that may CREATE DATABASE
#   KEEL_TEST_KAFKA_BROKERS  a Kafka-protocol broker (Tansu, started here, stopped on exit)
#   KEEL_TEST_REDIS_URL      a private redis-server (started here on a free port, stopped on exit)
# Sourced by scripts/test and scripts/bench. Needs root for installs (as on CI and dev machines).

KEEL_CACHE="${KEEL_CACHE:-$HOME/.cache/keel}"
KEEL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TANSU_ROOT="$KEEL_CACHE/tansu"
TANSU="$TANSU_ROOT/bin/tansu"

log() { printf '==> %s\n' "$*" >&2; }

as_postgres() {
  if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}

apt_install() {
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    local ver
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    if [ -z "$ver" ]; then apt_install postgresql; ver=$(ls /etc/postgresql | sort -V | tail -1); fi
    log "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  # A login that works here: trust over TCP, trust over the socket, or a password role we create
  # through the socket as the postgres OS user (which works everywhere).
  local candidates=(
    "postgres://postgres@127.0.0.1:5432/postgres"
    "postgres://postgres@localhost/postgres?host=/var/run/postgresql"
  )
  for url in "${candidates[@]}"; do
    if psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then export KEEL_TEST_DATABASE_URL="$url"; break; fi
  done
  if [ -z "${KEEL_TEST_DATABASE_URL:-}" ]; then
    log "creating role keel_test"
    as_postgres psql -qAt -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='keel_test') THEN CREATE ROLE keel_test LOGIN CREATEDB PASSWORD 'keel_test'; END IF; END\$\$;" >/dev/null
    export KEEL_TEST_DATABASE_URL="postgres://keel_test:keel_test@127.0.0.1:5432/postgres"
  fi
  # Databases left behind by earlier runs.
  psql "$KEEL_TEST_DATABASE_URL" -Atqc "select datname from pg_database where datname like 'keel_t_%'" 2>/dev/null |
    while read -r db; do psql "$KEEL_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  log "postgres: $KEEL_TEST_DATABASE_URL"
}

ensure_tansu_binary() {
  if [ -x "$TANSU" ]; then return; fi
  log "building the Tansu broker once (about 10 minutes; cached in $TANSU_ROOT)"
  if ! command -v protoc >/dev/null 2>&1 && ! dpkg -s protobuf-compiler >/dev/null 2>&1; then apt_install protobuf-compiler || true; fi
  cargo install tansu --locked --features dynostore,postgres --root "$TANSU_ROOT" >&2
}

# The official MCP Python SDK, for the MCP tests (a real client someone else wrote), in a venv
# cached beside the other tools.
MCP_SDK_VERSION=2.3.0
ensure_mcp_sdk() {
  local venv="$KEEL_CACHE/mcp-venv"
  if ! "$venv/bin/python" -c "import mcp, sys; from importlib.metadata import version; sys.exit(version('mcp') != '$MCP_SDK_VERSION')" >/dev/null 2>&1; then
    log "installing the MCP Python SDK $MCP_SDK_VERSION (cached in $venv)"
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "mcp==$MCP_SDK_VERSION" >&2
  fi
  export KEEL_MCP_PYTHON="$venv/bin/python"
}

LOCALSTRIPE_VERSION=1.15.10
# localstripe (PyPI): a stateful fake of Stripe's API that the integration tests sync from and
# that sends them signed webhooks.
ensure_localstripe() {
  local venv="$KEEL_CACHE/localstripe-venv"
  if ! "$venv/bin/python" -c "import sys; from importlib.metadata import version; sys.exit(version('localstripe') != '$LOCALSTRIPE_VERSION')" >/dev/null 2>&1; then
    log "installing localstripe $LOCALSTRIPE_VERSION (cached in $venv)"
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "localstripe==$LOCALSTRIPE_VERSION" >&2
  fi
  export KEEL_LOCALSTRIPE="$venv/bin/localstripe"
}

OPENAPI_PYTHON_CLIENT_VERSION=0.29.1
# The typed clients' generators (scripts/generate-clients) and what runs their examples:
# openapi-python-client (PyPI, with httpx and attrs, which the generated client needs) in a venv,
# and clients/typescript's node_modules (openapi-typescript, openapi-fetch, TypeScript) from its
# package-lock.json.
ensure_client_generators() {
  local venv="$KEEL_CACHE/clients-venv"
  if ! "$venv/bin/python" -c "import sys, dateutil; from importlib.metadata import version; sys.exit(version('openapi-python-client') != '$OPENAPI_PYTHON_CLIENT_VERSION')" >/dev/null 2>&1; then
    log "installing openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION (cached in $venv)"
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION" python-dateutil >&2
  fi
  export KEEL_CLIENTS_VENV="$venv"
  command -v npm >/dev/null 2>&1 || apt_install npm
  local ts="$KEEL_ROOT/clients/typescript"
  # node_modules/.keel-lock: the lockfile it was installed from.
  if ! cmp -s "$ts/package-lock.json" "$ts/node_modules/.keel-lock"; then
    log "installing clients/typescript's packages (npm ci)"
    npm ci --prefix "$ts" --silent --no-audit --no-fund >&2
    cp "$ts/package-lock.json" "$ts/node_modules/.keel-lock"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_tansu() {
  ensure_tansu_binary
  local port; port=$(free_port)
  TANSU_LOG=$(mktemp -t tansu.XXXXXX.log)
  "$TANSU" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ >"$TANSU_LOG" 2>&1 &
  TANSU_PID=$!
  for _ in $(seq 1 100); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    if ! kill -0 "$TANSU_PID" 2>/dev/null; then cat "$TANSU_LOG" >&2; echo "tansu failed to start" >&2; return 1; fi
    sleep 0.1
  done
  export KEEL_TEST_KAFKA_BROKERS="127.0.0.1:$port"
  export KEEL_TANSU_BIN="$TANSU"
  log "kafka (tansu): $KEEL_TEST_KAFKA_BROKERS"
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  local port; port=$(free_port)
  REDIS_LOG=$(mktemp -t redis.XXXXXX.log)
  # A private, memory-only instance: tests never touch a Redis someone else uses.
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$REDIS_LOG" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    if ! kill -0 "$REDIS_PID" 2>/dev/null; then cat "$REDIS_LOG" >&2; echo "redis-server failed to start" >&2; return 1; fi
    sleep 0.1
  done
  export KEEL_TEST_REDIS_URL="redis://127.0.0.1:$port/"
  log "redis: $KEEL_TEST_REDIS_URL"
}

stop_services() {
  if [ -n "${TANSU_PID:-}" ]; then kill "$TANSU_PID" 2>/dev/null || true; wait "$TANSU_PID" 2>/dev/null || true; fi
  if [ -n "${REDIS_PID:-}" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
}
