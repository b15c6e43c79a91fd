"""Keel from Python, with the generated client: make a site and an API key, send events with
the key, read the stats back, and walk the keys list page by page.

    KEEL_URL=http://127.0.0.1:8080 KEEL_TOKEN=<operator or account token> \
    KEEL_WORKSPACE=<workspace id> python examples/quickstart.py

(`pip install ./keel-client` first, or run with PYTHONPATH=keel-client.)
"""

import os
import sys
import time
import uuid

from keel_client import AuthenticatedClient
from keel_client.api.analytics import events_ingest, sites_stats_aggregate
from keel_client.api.keys import keys_create, keys_list
from keel_client.api.sites import sites_create
from keel_client.models import (
    CreateKeyBody,
    CreateSiteBody,
    ErrorBody,
    EventItem,
    EventsBody,
)
from keel_client.pagination import items


def ok(answer):
    """The answer, or the API's error as an exception."""
    if answer is None or isinstance(answer, ErrorBody):
        sys.exit(f"keel said: {answer.error.code}: {answer.error.message}" if answer else "no answer")
    return answer


base, token, workspace = os.environ["KEEL_URL"], os.environ["KEEL_TOKEN"], os.environ.get("KEEL_WORKSPACE")
admin = AuthenticatedClient(base_url=base, token=token, headers={"X-Workspace-ID": workspace} if workspace else {})

# A site, and a key that may send its events and read its stats: the secret is shown this once.
site = ok(sites_create.sync(client=admin, body=CreateSiteBody(name="Docs", domain="docs.example.com"))).data
key = ok(
    keys_create.sync(
        client=admin,
        body=CreateKeyBody(name="python quickstart", scopes=["events:write", "analytics:read"]),
        idempotency_key=str(uuid.uuid4()),
    )
).data
print(f"site {site.id}, key {key.prefix}")

# Events, sent with the key (a retried batch with the same Idempotency-Key counts once).
client = AuthenticatedClient(base_url=base, token=key.key)
events = [
    EventItem(
        site_id=site.id,
        visitor_id=f"visitor-{i % 5}",
        url=f"https://docs.example.com/guide/{i % 3}",
        event_id=f"py-{i}",
    )
    for i in range(30)
]
sent = ok(events_ingest.sync(client=client, body=EventsBody(events=events), idempotency_key=str(uuid.uuid4()))).data
print(f"accepted {sent.accepted}, duplicate {sent.duplicate}, rejected {sent.rejected}")

# The stats, once the projection has counted them.
deadline = time.monotonic() + 60
while True:
    stats = ok(sites_stats_aggregate.sync(site.id, client=client, period="7d", metrics="visitors,pageviews"))
    results = stats.to_dict()["data"]
    if results["pageviews"] == 30 or time.monotonic() > deadline:
        break
    time.sleep(0.2)
print(f"visitors {results['visitors']}, pageviews {results['pageviews']}")
assert (results["visitors"], results["pageviews"]) == (5, 30), results

# Every key, two to a page: the helper follows meta.next. Reads come from projections a moment
# behind the log; a write's X-Keel-Position passed as min_position reads your own writes.
for i in range(3):
    made = keys_create.sync_detailed(client=admin, body=CreateKeyBody(name=f"extra {i}", scopes=["keys:read"]))
    ok(made.parsed)
position = int(made.headers["X-Keel-Position"])
first = ok(keys_list.sync(client=admin, limit=2, min_position=position))
names = [k.name for k in items(admin, first)]
print(f"{len(names)} keys: {', '.join(sorted(names))}")
assert len(names) == first.meta.total_count and "python quickstart" in names, names
