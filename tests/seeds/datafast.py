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

# Saved funnels: created, listed, a duplicate name is 409, results, renamed, deleted (and the
# name is free again); the ad-hoc funnel of ?steps= still answers.
steps = [{"type": "page", "value": "/"}, {"type": "page", "value": "/pricing"}]
r = requests.post(f"{BASE}/api/v1/sites/{SITE}/funnels", headers=headers, json={"name": "Pricing", "steps": steps})
check(r.status_code == 201 and r.json()["data"]["window_minutes"] == 1440, f"funnel create {r.status_code} {r.text}")
fid = r.json()["data"]["id"]
r = requests.post(f"{BASE}/api/v1/sites/{SITE}/funnels", headers=headers, json={"name": "pricing", "steps": steps})
check(r.status_code == 409 and r.json()["error"]["code"] == "name_taken", f"duplicate funnel {r.status_code} {r.text}")
r = requests.post(f"{BASE}/api/v1/sites/{SITE}/funnels", headers=headers, json={"name": "One step", "steps": steps[:1]})
check(r.status_code == 422, f"one-step funnel {r.status_code} {r.text}")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/funnels", headers=headers)
check(r.status_code == 200 and [f["name"] for f in r.json()["data"]] == ["Pricing"], f"funnels {r.text}")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/funnels/{fid}/results?period=7d", headers=headers)
res = r.json()
check(r.status_code == 200 and [s["target"] for s in res["data"]["steps"]] == ["/", "/pricing"], f"results {r.text}")
r = requests.patch(f"{BASE}/api/v1/sites/{SITE}/funnels/{fid}", headers=headers, json={"name": "Pricing v2", "window_minutes": 60})
check(r.status_code == 200 and r.json()["data"]["name"] == "Pricing v2", f"rename {r.status_code} {r.text}")
r = requests.delete(f"{BASE}/api/v1/sites/{SITE}/funnels/{fid}", headers=headers)
check(r.status_code == 204, f"funnel delete {r.status_code}")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/funnels/{fid}", headers=headers)
check(r.status_code == 404, f"deleted funnel {r.status_code}")
r = requests.post(f"{BASE}/api/v1/sites/{SITE}/funnels", headers=headers, json={"name": "Pricing v2", "steps": steps})
check(r.status_code == 201, f"name free again {r.status_code} {r.text}")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/funnels?period=7d&steps=page:/,page:/pricing", headers=headers)
check(r.status_code == 200 and "entered" in r.json()["data"], f"ad-hoc funnel {r.text}")

# Deleting a day of analytics: two pageviews on 10 January go, the one on 12 January stays,
# and a pageview timestamped on the 10th that arrives later is not counted either.
def pageviews(pos):
    r = requests.get(f"{BASE}/api/v1/sites/{SITE}/stats/aggregate?from=2026-01-10&to=2026-01-12&min_position={pos}", headers=headers)
    check(r.status_code == 200, f"aggregate {r.status_code} {r.text}")
    return r.json()["data"]["pageviews"]

r = requests.post(f"{BASE}/api/v1/events", headers=headers, json={"events": [
    {"site_id": SITE, "visitor_id": "old", "url": "/a", "occurred_at": "2026-01-10T10:15:00Z"},
    {"site_id": SITE, "visitor_id": "old", "url": "/b", "occurred_at": "2026-01-10T10:20:00Z"},
    {"site_id": SITE, "visitor_id": "old", "url": "/c", "occurred_at": "2026-01-12T09:00:00Z"},
]})
check(r.status_code in (200, 202), f"old events {r.status_code} {r.text}")
check(pageviews(r.headers.get("X-Keel-Position", "0")) == 3, "three old pageviews")
r = requests.delete(f"{BASE}/api/v1/sites/{SITE}/data?from=2026-01-10&to=2026-01-10", headers=headers)
check(r.status_code in (200, 202), f"delete data {r.status_code} {r.text}")
job = r.json()["data"]
check(job["from"].startswith("2026-01-10T00:00:00") and job["to"].startswith("2026-01-11T00:00:00"), f"job {job}")
where = r.headers["Location"]
for _ in range(200):
    if job["status"] == "completed":
        break
    import time
    time.sleep(0.05)
    job = requests.get(f"{BASE}{where}", headers=headers).json()["data"]
check(job["status"] == "completed", f"job never completed: {job}")
check(pageviews(job["position"]) == 1, "one pageview left after the deletion")
r = requests.post(f"{BASE}/api/v1/events", headers=headers, json={"events": [
    {"site_id": SITE, "visitor_id": "late", "url": "/late", "occurred_at": "2026-01-10T11:00:00Z"},
    {"site_id": SITE, "visitor_id": "late", "url": "/kept", "occurred_at": "2026-01-11T11:00:00Z"},
]})
check(pageviews(r.headers.get("X-Keel-Position", "0")) == 2, "a late pageview inside the range is not counted")
r = requests.get(f"{BASE}/api/v1/sites/{SITE}/data/deletions", headers=headers)
check(r.status_code == 200 and r.json()["data"][0]["id"] == job["id"], f"deletions {r.text}")
r = requests.delete(f"{BASE}/api/v1/sites/{SITE}/data?from=2026-01-10T10:30:00Z&to=2099-01-01", headers=headers)
fields = {f["field"] for f in r.json()["error"]["details"]["fields"]} if r.status_code == 422 else set()
check(fields == {"from", "to"}, f"bad range {r.status_code} {r.text}")

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
