"""The Dashtray document's Python sample (seed 001), run against Keel."""

import os
import requests

DASHTRAY_API_KEY = os.environ.get('DASHTRAY_API_KEY')
BASE_URL = f"{os.environ['KEEL']}/api/v1"

def get_metrics(limit=100):
    headers = {
        'Authorization': f'Bearer {DASHTRAY_API_KEY}',
        'Content-Type': 'application/json'
    }

    response = requests.get(
        f'{BASE_URL}/metrics',
        headers=headers,
        params={'limit': limit}
    )

    response.raise_for_status()
    return response.json()

# Usage
try:
    data = get_metrics()
    print('Metrics:', len(data['data']), 'points')
except requests.exceptions.RequestException as e:
    print('Error:', e)
    raise SystemExit(1)

assert data['pagination'] == {'limit': 100, 'offset': 0, 'has_more': data['pagination']['has_more']}, data['pagination']
assert all(p['unit'] for p in data['data'])

# The document's List Metrics example (stripe_mrr) and List Integrations, with requests.
headers = {'Authorization': f'Bearer {DASHTRAY_API_KEY}', 'Content-Type': 'application/json'}
mrr = requests.get(f'{BASE_URL}/metrics', headers=headers,
                   params={'limit': 100, 'metric_id': 'stripe_mrr'})
mrr.raise_for_status()
last = mrr.json()['data'][-1]
assert (last['metric_id'], last['value'], last['unit']) == ('stripe_mrr', 15000, 'USD'), last
assert last['metadata']['currency'] == 'usd' and last['metadata']['interval'] == 'month', last
integrations = requests.get(f'{BASE_URL}/integrations', headers=headers)
integrations.raise_for_status()
i = integrations.json()['data'][0]
assert i['type'] == 'stripe' and i['status'] == 'active' and i['sync_status'] == 'active', i
assert isinstance(i['connected_at'], int) and isinstance(i['last_sync'], int), i
print('dashtray python sample: ok')
