// Apollo Client 4 automatic persisted queries: `createPersistedQueryLink`
// before `HttpLink`, with a fetch that records every request and answer.
// Client 1 (fresh cache) sends the hash only, is told
// `PersistedQueryNotFound`, and sends the query with the hash, which
// registers it; client 2 (fresh cache) then succeeds with the hash only.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { adminToken, check, httpUrl, show } from "./lib.mjs";

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

// A field alias unique to this run, so the hash is new to the server even
// if it is not a fresh one.
const nonce = randomBytes(6).toString("hex");
const QUERY = gql`
  query CompatPersisted {
    run_${nonce}: __typename
    employers(first: 2) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

/** Every request body sent and answer received, in order. */
const exchanges = [];

async function recordingFetch(url, init) {
  const exchange = { method: init?.method ?? "GET", request: undefined, status: undefined, answer: undefined };
  if (typeof init?.body === "string") exchange.request = JSON.parse(init.body);
  else exchange.request = Object.fromEntries(new URL(String(url)).searchParams);
  exchanges.push(exchange);
  const response = await fetch(url, init);
  exchange.status = response.status;
  const text = await response.clone().text();
  try {
    exchange.answer = JSON.parse(text);
  } catch {
    exchange.answer = text;
  }
  return response;
}

function makeClient() {
  return new ApolloClient({
    link: ApolloLink.from([
      createPersistedQueryLink({ sha256 }),
      new HttpLink({
        uri: httpUrl(),
        fetch: recordingFetch,
        headers: { authorization: `Bearer ${adminToken()}` },
      }),
    ]),
    cache: new InMemoryCache(),
  });
}

async function run(client) {
  try {
    const result = await client.query({ query: QUERY, fetchPolicy: "network-only" });
    return { result };
  } catch (error) {
    return { error };
  } finally {
    client.stop();
  }
}

const hashOf = (exchange) => exchange?.request?.extensions?.persistedQuery?.sha256Hash;
const describe = (exchange) =>
  exchange ? `HTTP ${exchange.status} ${show(exchange.answer, 400)}` : "nothing";

await check("apollo-persisted", async () => {
  // Client 1: hash only, "not found", then the query with the hash.
  const firstRun = await run(makeClient());
  const [miss, register] = exchanges;
  assert.ok(miss, `client 1 sent no request (${firstRun.error?.message})`);
  const hash = hashOf(miss);
  assert.match(String(hash), /^[0-9a-f]{64}$/,
    `client 1's first request has no extensions.persistedQuery.sha256Hash: ${show(miss.request)}`);
  assert.equal(miss.request.extensions.persistedQuery.version, 1, "persistedQuery.version is not 1");
  assert.equal(miss.request.query, undefined, "client 1's first request was not hash-only");
  const missError = miss.answer?.errors?.[0];
  assert.ok(
    missError?.message === "PersistedQueryNotFound" &&
      missError?.extensions?.code === "PERSISTED_QUERY_NOT_FOUND",
    "the hash-only request for an unknown hash was not answered with " +
      "PersistedQueryNotFound / PERSISTED_QUERY_NOT_FOUND; the server answered " +
      describe(miss),
  );
  assert.ok(register, `client 1 did not retry with the query (${firstRun.error?.message})`);
  assert.equal(hashOf(register), hash, "client 1's retry does not carry the same hash");
  assert.equal(typeof register.request.query, "string", "client 1's retry does not carry the query");
  assert.equal(sha256(register.request.query), hash, "the hash is not the SHA-256 of the query sent");
  assert.ok(!firstRun.error, `client 1's query failed: ${firstRun.error?.message}; last answer ${describe(register)}`);
  assert.ok(firstRun.result.data?.employers?.edges, `client 1 got no data: ${describe(register)}`);
  assert.equal(exchanges.length, 2, `client 1 sent ${exchanges.length} requests, not 2`);

  // Client 2, fresh cache: the hash alone now runs the registered query.
  const secondRun = await run(makeClient());
  const [hit, ...extra] = exchanges.slice(2);
  assert.ok(hit, `client 2 sent no request (${secondRun.error?.message})`);
  assert.equal(hashOf(hit), hash, "client 2 sent another hash");
  assert.equal(hit.request.query, undefined, "client 2's request was not hash-only");
  assert.equal(extra.length, 0,
    `client 2 needed ${extra.length + 1} requests: the hash alone was answered ${describe(hit)}`);
  assert.ok(!secondRun.error, `client 2's query failed: ${secondRun.error?.message}; answer ${describe(hit)}`);
  assert.deepEqual(secondRun.result.data, firstRun.result.data,
    "client 2's data (hash only) differs from client 1's");
  return `miss (PersistedQueryNotFound), register, then hash-only hit; ` +
    `${secondRun.result.data.employers.edges.length} employers back, hash ${hash.slice(0, 12)}…`;
});
