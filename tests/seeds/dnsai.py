"""The DNSai document's own Python samples (seed 002, `code_examples`), run against Keel.

Each sample is pasted as the document has it, with only the base URL and the key replaced
(`https://app.dnsai.com` -> $KEEL, `dnsai_live_YOUR_KEY` -> $KEEL_KEY). Checks follow each one.
Run by tests/tests/seeds.rs against a fresh Keel whose scanner reads a local DNS server.
"""

import os
import sys
import time

import requests

BASE = os.environ["KEEL"]
API_KEY = os.environ["KEEL_KEY"]
DOMAINS = os.environ["KEEL_DOMAINS"].split(",")


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


headers = {"Authorization": f"Bearer {API_KEY}"}

# --- python_add_domains ---------------------------------------------------------------------
response = requests.post(
    f"{BASE}/api/v1/domains/",
    headers=headers,
    json={"domains": DOMAINS},
)
result = response.json()["data"]
print(f"Added: {result['domains_added']}, Existing: {result['domains_existing']}")
check(response.status_code == 201, f"add: {response.status_code}")
check(result["domains_added"] == len(DOMAINS), f"added {result}")

# Wait until the scanner has read every domain (the samples below read scan data).
deadline = time.time() + 60
while True:
    r = requests.get(f"{BASE}/api/v1/domains/?limit=5000", headers=headers).json()
    if len(r["data"]) == len(DOMAINS) and all(d["scanned_at"] for d in r["data"]):
        break
    check(time.time() < deadline, "domains never scanned")
    time.sleep(0.2)

# --- python_list_all_domains (limit=2 so that the loop follows meta.next) --------------------
url = f"{BASE}/api/v1/domains/?limit=2"
all_domains = []

while url:
    response = requests.get(url, headers=headers)
    data = response.json()
    all_domains.extend(data["data"])
    url = data["meta"].get("next")

print(f"Fetched {len(all_domains)} domains")
check(len(all_domains) == len(DOMAINS), f"fetched {len(all_domains)}")
check(len({d["id"] for d in all_domains}) == len(DOMAINS), "a domain twice")
for d in all_domains:
    for field in ["id", "domain", "email_gateway", "dmarc_policy_p", "spf", "scanned_at",
                  "added_at", "folder_id", "is_favorite", "tags"]:
        check(field in d, f"list row lacks {field}: {d}")

# --- python_scan_results ----------------------------------------------------------------------
domain_id = next(d["id"] for d in all_domains if d["domain"] == DOMAINS[0])
response = requests.get(
    f"{BASE}/api/v1/domains/{domain_id}/scan-results/",
    headers=headers,
)
scan = response.json()["data"]
print(f"Gateway: {scan['email_gateway']}")
print(f"MX: {scan['mx']}")
print(f"SPF: {scan['spf']}")
print(f"DMARC: {scan['dmarc_policy_p']}")
check(scan["email_gateway"] == "Google Workspace", f"gateway {scan['email_gateway']}")
check(scan["spf"].startswith("v=spf1"), f"spf {scan['spf']}")
check(scan["dmarc_policy_p"] == "reject", f"dmarc {scan['dmarc_policy_p']}")
check(scan["tech_in_dns"] == "Google Search Console", f"tech {scan['tech_in_dns']}")
# Where the web server is, from the MaxMind databases the test configured (KEEL_GEOIP_*_PATH).
place = {k: scan[f"a_server_{k}"] for k in ["country", "region", "city", "lat", "lon", "asn", "asn_name"]}
check(place == {"country": "DE", "region": "Land Berlin", "city": "Berlin", "lat": 52.5244, "lon": 13.4105,
                "asn": "AS64500", "asn_name": "Example Net"}, f"a_server_* {place}")
whois = requests.get(f"{BASE}/api/v1/domains/{domain_id}/whois/", headers=headers).json()["data"]
check(whois["ip_geolocation"].get("city") == "Berlin", f"ip_geolocation {whois['ip_geolocation']}")


# --- python_rate_limit_handling ----------------------------------------------------------------
def api_request(url, headers, max_retries=5):
    for attempt in range(max_retries):
        response = requests.get(url, headers=headers)
        if response.status_code == 429:
            retry_after = int(response.headers.get("Retry-After", 60))
            print(f"Rate limited. Waiting {retry_after}s...")
            time.sleep(retry_after)
            continue
        response.raise_for_status()
        return response.json()
    raise Exception("Max retries exceeded")


summary = api_request(f"{BASE}/api/v1/dashboard/summary/", headers)
check(summary["data"]["total_domains"] == len(DOMAINS), f"summary {summary}")
# Every answer says where the key stands, as the document describes the headers.
r = requests.get(f"{BASE}/api/v1/domains/", headers=headers)
reset = int(r.headers["X-RateLimit-Reset"])
check(0 <= reset - time.time() <= 61, f"X-RateLimit-Reset {reset} is not a Unix time of this minute")
check(int(r.headers["X-API-Quota-Used"]) > 0, "X-API-Quota-Used")

# Keys: created by name only, listed with key_prefix and is_active, revoked with 204.
r = requests.post(f"{BASE}/api/v1/keys/", headers=headers, json={"name": "reporting"})
check(r.status_code == 201, f"create key {r.status_code} {r.text}")
new = r.json()["data"]
# Keel's read-your-writes: the list waits until it holds the write (X-Keel-Position).
pos = r.headers["X-Keel-Position"]
keys = requests.get(f"{BASE}/api/v1/keys/?min_position={pos}", headers=headers).json()["data"]
row = next(k for k in keys if k["id"] == new["id"])
check(new["key"].startswith(row["key_prefix"]) and row["is_active"], f"key row {row}")
r = requests.delete(f"{BASE}/api/v1/keys/{new['id']}/", headers=headers)
check(r.status_code == 204, f"revoke {r.status_code}")
print("dnsai samples: ok")
