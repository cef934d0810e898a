// Reads every problem and the messages of every case it holds through the REST API, and
// prints one JSON document: {scenario, commit, problems: [{...problem, cases: [{id, externalIds}]}]}.
//   node dump.mjs <baseUrl> <token> <scenario> <commit>

const [base, token, scenario, commit] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };

async function get(path) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}${path}`, { headers });
    if (res.ok) return res.json();
    if (attempt >= 3 || res.status < 500)
      throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every page of a list route. */
async function all(path, limit) {
  const items = [];
  let cursor = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    if (!page.nextCursor) return items;
    cursor = page.nextCursor;
  }
}

const problems = await all(
  '/api/v1/problems?status=suspected,confirmed,fixing,fixed,verified,closed',
  100,
);
const caseCache = new Map();
async function caseMessages(id) {
  if (!caseCache.has(id)) {
    const msgs = await all(`/api/v1/cases/${id}/messages`, 200);
    caseCache.set(
      id,
      msgs.filter((m) => m.direction !== 'out').map((m) => m.externalId),
    );
  }
  return caseCache.get(id);
}

// A few requests at a time: the server is local and idle, the walk is the slow part.
const out = [];
for (const p of problems) {
  const cases = [];
  const ids = [...p.caseIds];
  while (ids.length > 0) {
    const batch = ids.splice(0, 8);
    const got = await Promise.all(
      batch.map(async (id) => ({ id, externalIds: await caseMessages(id) })),
    );
    cases.push(...got);
  }
  out.push({ ...p, cases });
}
process.stdout.write(
  `${JSON.stringify({ scenario, commit, dumpedAt: new Date().toISOString(), problems: out })}\n`,
);
process.stderr.write(`${scenario}: ${out.length} problems, ${caseCache.size} cases read\n`);
