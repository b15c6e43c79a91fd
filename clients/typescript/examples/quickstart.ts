// Keel from TypeScript, with the generated types and openapi-fetch: make a site and an API key,
// send events with the key, read the stats back, and walk the keys list page by page.
//
//   KEEL_URL=http://127.0.0.1:8080 KEEL_TOKEN=<operator or account token> \
//   KEEL_WORKSPACE=<workspace id> npm run build && npm run example
import { randomUUID } from "node:crypto";
import { createKeelClient, paginate, unwrap, type KeelOptions } from "../src/index.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const adminOptions: KeelOptions = {
  baseUrl: env("KEEL_URL"),
  token: env("KEEL_TOKEN"),
  workspace: process.env.KEEL_WORKSPACE,
};
const admin = createKeelClient(adminOptions);

// A site, and a key that may send its events and read its stats: the secret is shown this once.
const site = unwrap(
  await admin.POST("/api/v1/sites", { body: { name: "Docs", domain: "docs.example.com" } }),
).data;
const key = unwrap(
  await admin.POST("/api/v1/keys", {
    body: { name: "typescript quickstart", scopes: ["events:write", "analytics:read"] },
    params: { header: { "Idempotency-Key": randomUUID() } },
  }),
).data;
console.log(`site ${site.id}, key ${key.prefix}`);

// Events, sent with the key (a retried batch with the same Idempotency-Key counts once).
const client = createKeelClient({ baseUrl: adminOptions.baseUrl, token: key.key });
const events = Array.from({ length: 30 }, (_, i) => ({
  site_id: site.id,
  visitor_id: `visitor-${i % 5}`,
  url: `https://docs.example.com/guide/${i % 3}`,
  event_id: `ts-${i}`,
}));
const sent = unwrap(
  await client.POST("/api/v1/events", {
    body: { events },
    params: { header: { "Idempotency-Key": randomUUID() } },
  }),
).data;
console.log(`accepted ${sent.accepted}, duplicate ${sent.duplicate}, rejected ${sent.rejected}`);

// The stats, once the projection has counted them.
const deadline = Date.now() + 60_000;
let totals: Record<string, unknown>;
for (;;) {
  const stats = unwrap(
    await client.GET("/api/v1/sites/{id}/stats/aggregate", {
      params: { path: { id: site.id }, query: { period: "7d", metrics: "visitors,pageviews" } },
    }),
  );
  totals = stats.data as Record<string, unknown>;
  if (totals.pageviews === 30 || Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`visitors ${totals.visitors}, pageviews ${totals.pageviews}`);
if (totals.visitors !== 5 || totals.pageviews !== 30) throw new Error(JSON.stringify(totals));

// Every key, two to a page: paginate follows meta.next. Reads come from projections a moment
// behind the log; a write's X-Keel-Position passed as min_position reads your own writes.
let position = 0;
for (let i = 0; i < 3; i++) {
  const made = await admin.POST("/api/v1/keys", {
    body: { name: `extra ${i}`, scopes: ["keys:read"] },
  });
  unwrap(made);
  position = Number(made.response.headers.get("X-Keel-Position"));
}
const first = unwrap(
  await admin.GET("/api/v1/keys", { params: { query: { limit: 2, min_position: position } } }),
);
const names: string[] = [];
for await (const k of paginate(adminOptions, first)) names.push(k.name);
console.log(`${names.length} keys: ${names.sort().join(", ")}`);
if (names.length !== first.meta.total_count || !names.includes("typescript quickstart")) {
  throw new Error(`the pages held ${names.length} of ${first.meta.total_count} keys`);
}
