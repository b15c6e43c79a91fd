"""The DataFast document's conventions (seed 003), used as its clients would, against Keel."""

import os
import sys

import requests

BASE = os.environ["KEEL"]
SITE = os.environ["SITE_ID"]
headers = {"Authorization": f"Bearer {os.environ['KEEL_KEY']}"}


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


# Server-side events, a goal and an identify call, then the visitors list.
r = requests.post(f"{BASE}/api/v1/events", headers=headers, json={"events": [
    {"site_id": SITE, "visitor_id": "v1", "url": "/"},
    {"site_id": SITE, "visitor_id": "v2", "url": "/pricing"},
]})
check(r.status_code in (200, 201, 202), f"events {r.status_code} {r.text}")
r = requests.post(f"{BASE}/api/v1/identify", headers=headers,
                  json={"site_id": SITE, "visitor_id": "v1", "user_id": "u1", "traits": {"plan": "pro"}})
check(r.ok, f"identify {r.status_code} {r.text}")
pos = r.headers.get("X-Keel-Position", "0")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/visitors?min_position={pos}&sort=-last_seen", headers=headers)
body = r.json()
ids = {v["visitor_id"] for v in body["data"]}
check(r.status_code == 200 and {"v1", "v2"} <= ids and body["meta"]["total_count"] == len(ids), f"visitors {r.text[:300]}")
known = requests.get(f"{BASE}/api/v1/sites/{SITE}/visitors?identified=true", headers=headers).json()
check([v["user_id"] for v in known["data"]] == ["u1"], f"identified {known}")

# A website key (df_): it sends goals without naming the site, and reaches no other route.
web = {"Authorization": f"Bearer {os.environ['WEBSITE_KEY']}"}
r = requests.post(f"{BASE}/api/v1/goals", headers=web, json={"visitor_id": "v2", "name": "signup"})
check(r.status_code == 202, f"website goal {r.status_code} {r.text}")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/visitors", headers=web)
check(r.status_code == 200, f"website visitors {r.status_code}")
r = requests.get(f"{BASE}/api/v1/domains", headers=web)
check(r.status_code == 403 and "website key" in r.json()["message"], f"website elsewhere {r.status_code} {r.text}")

# Rate-limited answers carry limit, remaining and reset at the top (a free key, 60 a minute).
free = {"Authorization": f"Bearer {os.environ['FREE_KEY']}"}
last = None
for _ in range(61):
    last = requests.get(f"{BASE}/api/v1/sites/{SITE}/visitors", headers=free)
    if last.status_code == 429:
        break
if last.status_code == 429:
    b = last.json()
    check(b["limit"] == 60 and b["remaining"] == 0 and b["reset"] > 0 and b["message"], f"429 {b}")
print("datafast samples: ok")
