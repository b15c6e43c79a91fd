#!/usr/bin/env bash
# Schemathesis against Keel's own OpenAPI document: every operation, a fixed seed, on the embedded
# default backend or on Postgres + Kafka. Fails on any 5xx, any response outside the documented statuses, content types
# and schemas, and any request the document forbids that the API accepts. (Requests the document
# allows but the API refuses on meaning, such as a date in the past for `expires_at`, are not
# failures: JSON Schema cannot say them; the document lists the 422 instead.)
#
#   scripts/schemathesis.sh [--distributed] [MAX_EXAMPLES]   (default 25; SCHEMATHESIS_SEED, default 1)
#
# --distributed runs Keel on a fresh Postgres database with Kafka (the broker and database that
# scripts/services.sh provides: KEEL_TEST_DATABASE_URL, KEEL_TEST_KAFKA_BROKERS).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

BACKEND=embedded
if [ "${1:-}" = "--distributed" ]; then BACKEND=distributed; shift; fi

VERSION=4.32.5
VENV="$KEEL_CACHE/schemathesis-$VERSION"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  log "installing schemathesis $VERSION (cached in $VENV)"
  python3 -m venv "$VENV" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi

cargo build -q -p keel-api --bin keel
DATA=$(mktemp -d -t keel-schemathesis.XXXXXX)
PORT=$(free_port)
SUFFIX=$(python3 -c 'import uuid; print(uuid.uuid4().hex)')
TOKEN="keel_admin_schemathesis_$SUFFIX"
DB=
if [ "$BACKEND" = distributed ]; then
  [ -n "${KEEL_TEST_DATABASE_URL:-}" ] || ensure_postgres
  [ -n "${KEEL_TEST_KAFKA_BROKERS:-}" ] || start_tansu
  DB="keel_t_schemathesis_${SUFFIX:0:12}"
  psql "$KEEL_TEST_DATABASE_URL" -qc "CREATE DATABASE $DB" >/dev/null
  export KEEL_DATABASE_URL
  KEEL_DATABASE_URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$KEEL_TEST_DATABASE_URL" "$DB")
  export KEEL_KAFKA_BROKERS="$KEEL_TEST_KAFKA_BROKERS" KEEL_KAFKA_TOPIC="keel.schemathesis.$SUFFIX"
fi
KEEL_DATA_DIR="$DATA" KEEL_LISTEN="127.0.0.1:$PORT" KEEL_ADMIN_TOKEN="$TOKEN" KEEL_LOG=error \
  KEEL_SCANNER=false KEEL_WEBHOOKS=false KEEL_WEBHOOKS_ALLOW_PRIVATE=true \
  KEEL_TRACKING_CHECKER=false KEEL_TRACKING_WAIT_MS=0 \
  "${CARGO_TARGET_DIR:-target}/debug/keel" serve >"$DATA/keel.log" 2>&1 &
KEEL_PID=$!
cleanup() {
  kill "$KEEL_PID" 2>/dev/null || true
  wait "$KEEL_PID" 2>/dev/null || true
  [ -z "$DB" ] || psql "$KEEL_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap 'cleanup; stop_services' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$KEEL_PID" 2>/dev/null || { cat "$DATA/keel.log" >&2; exit 1; }
  sleep 0.2
done
# A workspace for the operator token to act in (X-Workspace-ID), and one resource of each kind
# whose id the operations on `{id}` paths get, so they reach more than a 404.
BASE="http://127.0.0.1:$PORT/api/v1"
api() { # METHOD PATH [BODY]: prints the response body
  curl -fsS -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    ${WS:+-H "X-Workspace-ID: $WS"} ${3:+-d "$3"}
}
field() { python3 -c "import json, sys; d = json.load(sys.stdin)['data']; print($1)"; }
WS=
WS=$(api POST /workspaces '{"name":"Schemathesis","tier":"enterprise"}' | field "d['id']")
SITE=$(api POST /sites '{"name":"Shop","domain":"shop.example.com","timezone":"UTC"}' | field "d['id']")
KEY=$(api POST /keys '{"name":"probe","scopes":["keys:read"]}' | field "d['id']")
FOLDER=$(api POST /folders '{"name":"probe"}' | field "d['id']")
DASHBOARD=$(api POST /dashboards '{"name":"probe","widgets":[]}' | field "d['id']")
api POST /domains '{"domains":["example.com"]}' >/dev/null
DOMAIN=
for _ in $(seq 1 150); do # the domains read model follows the log (through Kafka when distributed)
  DOMAIN=$(api GET /domains | field "d[0]['id'] if d else ''")
  [ -n "$DOMAIN" ] && break
  sleep 0.2
done
WEBHOOK=$(api POST /webhooks '{"url":"http://127.0.0.1:9/hook","events":["*"]}' | field "d['id']")
ALERT=$(api POST /alerts "{\"name\":\"probe\",\"condition\":{\"type\":\"webhook_disabled\"},\"channels\":[{\"type\":\"webhook\",\"webhook_id\":\"$WEBHOOK\"}]}" | field "d['id']")
# A Tracking Checker scan (it stays queued: the checker is off, so nothing is fetched) and an SEO
# report with one issue.
SCAN=$(api POST /tracking-checker/scan '{"url":"https://example.com/"}' | field "d['id']")
api POST /seo/report '{"url":"https://example.com/","issues":[{"type":"missing_h1","severity":"warning"}]}' >/dev/null
# A member (invited and accepted) and a pending invitation, for the people routes.
INVITATION=$(api POST /invitations '{"email":"member@example.com","role":"viewer"}' | field "d['invite_url'].split('token=')[1]")
MEMBER=$(curl -fsS -X POST "$BASE/invitations/accept" -H 'content-type: application/json' \
  -d "{\"token\":\"$INVITATION\",\"name\":\"Member\",\"password\":\"correct horse battery\"}" | field "d['user']['id']")
PENDING=$(api POST /invitations '{"email":"pending@example.com","role":"viewer"}' | field "d['id']")
CONFIG="$DATA/schemathesis.toml"
: >"$CONFIG"
printf '[[operations]]\ninclude-path-regex = "^/api/v1/members/"\nparameters = { user_id = "%s" }\n\n' "$MEMBER" >>"$CONFIG"
printf '[[operations]]\ninclude-path-regex = "^/api/v1/seo/issues/"\nparameters = { workspace_id = "%s" }\n\n' "$WS" >>"$CONFIG"
for pair in "workspaces:$WS" "sites:$SITE" "keys:$KEY" "folders:$FOLDER" "dashboards:$DASHBOARD" \
  "domains:$DOMAIN" "webhooks:$WEBHOOK" "invitations:$PENDING" "alerts:$ALERT" \
  "tracking-checker/scans:$SCAN"; do
  printf '[[operations]]\ninclude-path-regex = "^/api/v1/%s/"\nparameters = { id = "%s" }\n\n' \
    "${pair%%:*}" "${pair#*:}" >>"$CONFIG"
done

log "schemathesis ($BACKEND): every operation, seed ${SCHEMATHESIS_SEED:-1}, ${1:-25} examples each"
"$VENV/bin/schemathesis" --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  -H "Authorization: Bearer $TOKEN" -H "X-Workspace-ID: $WS" \
  --seed "${SCHEMATHESIS_SEED:-1}" --max-examples "${1:-25}" \
  --checks all --exclude-checks positive_data_acceptance \
  --phases examples,coverage,fuzzing --suppress-health-check all \
  --generation-database none --workers 2 --no-color
