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
print('dashtray python sample: ok')
