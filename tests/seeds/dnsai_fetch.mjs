// The DNSai document's `javascript_fetch` sample (seed 002), run with Node's own fetch.
const BASE = process.env.KEEL;
const API_KEY = process.env.KEEL_KEY;

const response = await fetch(`${BASE}/api/v1/domains/`, {
  headers: { "Authorization": `Bearer ${API_KEY}` },
});
const { data, meta } = await response.json();
console.log(`Got ${data.length} of ${meta.total_count} domains`);

if (!response.ok || data.length !== meta.total_count || data.length < 1) {
  console.error("FAILED: the domain list");
  process.exit(1);
}
