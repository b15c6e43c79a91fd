"""The core-api document's requests (seed 004), sent as it shows them, against Keel."""

import os
import sys

import requests

BASE = os.environ["KEEL"]
headers = {"Authorization": f"Bearer {os.environ['KEEL_KEY']}"}


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


# API Keys: create, list (page + per_page), rotate, revoke.
r = requests.post(f"{BASE}/api/v1/api-keys", headers=headers, json={
    "name": "Mobile App Key",
    "scopes": ["api-keys:read", "webhooks:read"],
    "rate_limit_tier": "pro",
    "expires_at": "2030-01-01T00:00:00Z",
})
check(r.status_code == 201, f"create {r.status_code} {r.text}")
key = r.json()["data"]
check(key["key"] and key["rate_limit_tier"] == "pro", f"created {key}")
pos = r.headers["X-Keel-Position"]  # Keel's read-your-writes
r = requests.get(f"{BASE}/api/v1/api-keys?page=1&per_page=25&sort=-created_at,name&min_position={pos}", headers=headers)
body = r.json()
check(r.status_code == 200 and body["meta"]["current_page"] == 1 and body["meta"]["per_page"] == 25, f"list {body.get('meta')}")
check(set(body["links"]) == {"first", "last", "prev", "next"}, f"links {body.get('links')}")
check(any(k["id"] == key["id"] for k in body["data"]), "the new key is listed")
r = requests.get(f"{BASE}/api/v1/api-keys?fields=id,name&include=workspace", headers=headers)
check(r.status_code == 200 and all(set(k) == {"id", "name"} for k in r.json()["data"]), f"fields {r.text[:200]}")
r = requests.post(f"{BASE}/api/v1/api-keys/{key['id']}/rotate", headers=headers, json={"grace_period_hours": 24})
check(r.status_code == 200 and r.json()["data"]["grace_period_ends_at"], f"rotate {r.text}")
r = requests.delete(f"{BASE}/api/v1/api-keys/{key['id']}", headers=headers)
check(r.status_code == 204, f"revoke {r.status_code}")

# The same write twice with one Idempotency-Key answers once.
idem = {**headers, "Idempotency-Key": "core-api-sample-1"}
a = requests.post(f"{BASE}/api/v1/api-keys", headers=idem, json={"name": "Once"})
b = requests.post(f"{BASE}/api/v1/api-keys", headers=idem, json={"name": "Once"})
check(a.status_code == 201 and a.json()["data"]["id"] == b.json()["data"]["id"], "idempotent create")

# Webhooks: a secret of one's own; deliveries.
r = requests.post(f"{BASE}/api/v1/webhooks", headers=headers, json={
    "url": os.environ["HOOK_URL"],
    "events": ["key.created", "key.revoked"],
    "secret": "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
})
check(r.status_code == 201, f"webhook {r.status_code} {r.text}")
hook = r.json()["data"]
check(hook["secret"] == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" and hook["is_active"], f"hook {hook}")
r = requests.get(f"{BASE}/api/v1/webhooks/{hook['id']}/deliveries?page=1&per_page=10", headers=headers)
check(r.status_code == 200, f"deliveries {r.status_code}")

# The pixel, as a page would call it: no key, the Origin names the site.
origin = {"Origin": os.environ["SITE_ORIGIN"]}
cfg = requests.get(f"{BASE}/api/v1/pixel/config", headers=origin).json()
check(cfg["enabled"] is True and cfg["sample_rate"] == 1.0 and cfg["features"]["pageviews"], f"config {cfg}")
r = requests.post(f"{BASE}/api/v1/pixel/track", headers=origin, json={
    "event": "pageview",
    "url": f"{os.environ['SITE_ORIGIN']}/page",
    "referrer": "https://google.com",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "properties": {"title": "Page Title"},
})
check(r.status_code == 200 and r.json()["tracked"] is True, f"track {r.status_code} {r.text}")

# Errors carry a top-level message; 401 for a bad key.
r = requests.get(f"{BASE}/api/v1/api-keys", headers={"Authorization": "Bearer sk_live_nope"})
check(r.status_code == 401 and r.json()["message"], f"401 {r.text}")
print("core-api samples: ok")
