// Runs the graphql-http server audits (GraphQL over HTTP conformance) against
// a running Portalen API and prints the counts. Exits non-zero when a MUST
// audit fails.
//
//   node audit.mjs http://127.0.0.1:8080/graphql [token]
//
// The audits query `{ __typename }` and similar: without a token they run as
// an anonymous caller, which the API allows for these.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/graphql';
const token = process.argv[3];

const fetchFn = token
  ? (input, init = {}) => {
      const headers = new Headers(init.headers ?? {});
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    }
  : fetch;

const results = await auditServer({ url, fetchFn });
const counts = {};
let mustFailed = 0;
for (const result of results) {
  const level = result.name.split(' ')[0];
  counts[level] ??= { ok: 0, failed: 0 };
  if (result.status === 'ok') {
    counts[level].ok += 1;
  } else {
    counts[level].failed += 1;
    if (level === 'MUST') mustFailed += 1;
    const body = result.response ? await result.response.text().catch(() => '') : '';
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
    if (process.env.AUDIT_VERBOSE && body) console.log(`  body: ${body.slice(0, 300)}`);
  }
}
for (const [level, { ok, failed }] of Object.entries(counts)) {
  console.log(`graphql-http audit ${level}: ${ok} of ${ok + failed} passed`);
}
process.exit(mustFailed === 0 ? 0 : 1);
