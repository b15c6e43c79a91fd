// The Dashtray document's Node samples (seed 001), run with Node's fetch against Keel.
// Only BASE_URL and the key differ from the document. DASHTRAY_FREE_KEY is a free-tier key
// (60 requests a minute) used to meet a 429.
const DASHTRAY_API_KEY = process.env.DASHTRAY_API_KEY;
const BASE_URL = `${process.env.KEEL}/api/v1`;

function fail(what) {
  console.error(`FAILED: ${what}`);
  process.exit(1);
}

// --- Code Examples: Node.js ---
async function getMetrics() {
  const response = await fetch(`${BASE_URL}/metrics?limit=100`, {
    headers: {
      'Authorization': `Bearer ${DASHTRAY_API_KEY}`,
      'Content-Type': 'application/json'
    }
  });

  if (!response.ok) {
    throw new Error(`API error: ${response.status}`);
  }

  const data = await response.json();
  return data;
}

const data = await getMetrics();
console.log('Metrics:', data.data.length, 'points');
if (!Array.isArray(data.data) || data.data.length === 0) fail('no metric points');
const p = data.data[0];
for (const f of ['id', 'metric_id', 'value', 'unit', 'timestamp', 'metadata']) {
  if (!(f in p)) fail(`a metric point lacks ${f}`);
}
if (typeof p.timestamp !== 'number') fail('timestamp is not milliseconds');
if (data.pagination?.limit !== 100 || typeof data.pagination?.has_more !== 'boolean') {
  fail(`pagination ${JSON.stringify(data.pagination)}`);
}

// --- List Metrics: the document's example request, and List Integrations ---
const headersJson = { 'Authorization': `Bearer ${DASHTRAY_API_KEY}`, 'Content-Type': 'application/json' };
const mrr = await (await fetch(`${BASE_URL}/metrics?limit=10&metric_id=stripe_mrr`, { headers: headersJson })).json();
const first = mrr.data?.[0];
if (!first || first.metric_id !== 'stripe_mrr' || first.unit !== 'USD' || typeof first.value !== 'number'
  || first.metadata?.currency !== 'usd' || first.metadata?.interval !== 'month'
  || typeof first.timestamp !== 'number') {
  fail(`stripe_mrr ${JSON.stringify(mrr)}`);
}
if (mrr.pagination?.limit !== 10 || mrr.pagination?.has_more !== true) fail(`stripe_mrr pagination ${JSON.stringify(mrr.pagination)}`);
// Oldest month first: this month's MRR is the last point.
const year = await (await fetch(`${BASE_URL}/metrics?limit=100&metric_id=stripe_mrr`, { headers: headersJson })).json();
if (year.data[year.data.length - 1].value !== 15000) fail(`this month's MRR ${JSON.stringify(year.data.slice(-1))}`);
const integrations = await (await fetch(`${BASE_URL}/integrations`, {
  headers: { 'Authorization': `Bearer ${DASHTRAY_API_KEY}`, 'Content-Type': 'application/json' }
})).json();
const i = integrations.data?.[0];
if (!i || i.type !== 'stripe' || i.status !== 'active' || typeof i.connected_at !== 'number'
  || typeof i.last_sync !== 'number' || i.sync_status !== 'active' || !i.id) {
  fail(`integrations ${JSON.stringify(integrations)}`);
}

// --- Projects, dashboards, health (Endpoints) ---
const headers = { 'Authorization': `Bearer ${DASHTRAY_API_KEY}` };
const project = await (await fetch(`${BASE_URL}/projects`, { headers })).json();
if (typeof project.data?.createdAt !== 'number' || !project.data.slug) fail(`project ${JSON.stringify(project)}`);
const dashboards = await (await fetch(`${BASE_URL}/dashboards`, { headers })).json();
const d = dashboards.data?.[0];
if (!d || d.type !== 'custom' || typeof d.description !== 'string') fail(`dashboards ${JSON.stringify(dashboards)}`);
const health = await (await fetch(`${BASE_URL}/health`)).json();
if (health.status !== 'healthy' || typeof health.timestamp !== 'number' || !health.version) fail(`health ${JSON.stringify(health)}`);

// --- Best Practices 4: Monitor Usage ---
function logRateLimitInfo(response) {
  const limit = response.headers.get('X-RateLimit-Limit');
  const remaining = response.headers.get('X-RateLimit-Remaining');
  const reset = response.headers.get('X-RateLimit-Reset');

  console.log(`Rate Limit: ${remaining}/${limit} remaining`);
  console.log(`Resets at: ${new Date(reset * 1000).toISOString()}`);
  return new Date(reset * 1000);
}
const resetsAt = logRateLimitInfo(await fetch(`${BASE_URL}/projects`, { headers }));
const ahead = resetsAt.getTime() - Date.now();
if (!(ahead >= -2000 && ahead <= 61000)) fail(`the reset is ${ahead} ms away`);

// --- Best Practices 1: Handle Rate Limits ---
async function fetchWithRetry(url, options, maxRetries = 3) {
  for (let i = 0; i < maxRetries; i++) {
    const response = await fetch(url, options);

    if (response.status === 429) {
      const resetTime = response.headers.get('X-RateLimit-Reset');
      const waitTime = (resetTime * 1000) - Date.now();
      await new Promise(resolve => setTimeout(resolve, waitTime));
      continue;
    }

    return response;
  }

  throw new Error('Max retries exceeded');
}

// A free key spends its 60 requests; the sample then waits until the window resets. The waits
// it asks for are recorded (and not slept: the test need not sit out the minute).
const free = { headers: { 'Authorization': `Bearer ${process.env.DASHTRAY_FREE_KEY}` } };
for (let i = 0; i < 60; i++) await fetch(`${BASE_URL}/projects`, free);
const waits = [];
const realSetTimeout = setTimeout;
// The sample calls setTimeout(resolve, waitTime); fetch's own timers pass more arguments and run
// as they are.
globalThis.setTimeout = (fn, ms, ...args) => {
  if (args.length > 0) return realSetTimeout(fn, ms, ...args);
  waits.push(ms);
  return realSetTimeout(fn, 0);
};
let answered = null;
try {
  answered = await fetchWithRetry(`${BASE_URL}/projects`, free);
} catch (e) {
  // Every retry met the same spent window: fine, the waits are what is checked.
}
globalThis.setTimeout = realSetTimeout;
if (answered === null || waits.length > 0) {
  if (waits.length === 0) fail('no 429 met');
  for (const w of waits) {
    if (!(w >= -2000 && w <= 61000)) fail(`the sample would wait ${w} ms`);
  }
}
console.log('dashtray samples: ok', waits);
