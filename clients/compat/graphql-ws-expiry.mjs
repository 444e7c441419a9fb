// graphql-ws (graphql-transport-ws over `ws`): a subscription opened with a
// token that lives 6 seconds gets `slotPosted` events while the token is
// valid, and the server closes the socket with 4401 once it expires.
// A garbage token is refused at connection_init with 4401 or 4403.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { check, env, graphqlPost, show, timeout, wsUrl } from "./lib.mjs";

const SLOT_POSTED = "subscription CompatSlotPosted { slotPosted { title } }";
const EMPLOYER = "{ employers(first: 1) { edges { node { id } } } }";
const POST_SLOT = `
  mutation CompatPostSlot($input: PostInternshipSlotInput!) {
    postInternshipSlot(input: $input) {
      internshipSlot { id title status }
      userErrors { field message code }
    }
  }
`;

/** The `exp` claim (seconds) of a JWT, read without checking it. */
function expiresAt(token) {
  const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
  assert.ok(Number.isFinite(payload.exp), `the short-lived token has no exp claim: ${show(payload)}`);
  return payload.exp * 1000;
}

/** A graphql-ws client that never reconnects; `closed` resolves with the close event. */
function connect(token) {
  let resolveClosed;
  const closed = new Promise((resolve) => { resolveClosed = resolve; });
  let connectedAt;
  const client = createClient({
    url: wsUrl(),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    onNonLazyError: () => {},
    on: {
      connected: () => { connectedAt = Date.now(); },
      closed: (event) => resolveClosed({ code: event?.code, reason: event?.reason, at: Date.now() }),
    },
  });
  return { client, closed, connected: () => connectedAt };
}

const describeClose = (event) => `${event.code}${event.reason ? ` "${event.reason}"` : ""}`;

await check("graphql-ws-expiry", async () => {
  const shortToken = env("COMPAT_SHORT_TOKEN");
  const expiry = expiresAt(shortToken);

  // 1. A garbage token is refused.
  const garbage = connect(`garbage.${randomBytes(8).toString("hex")}.token`);
  const refusedWait = timeout(5_000, "a garbage token was not refused within 5 s (the socket stayed open)");
  const refused = await Promise.race([garbage.closed, refusedWait]).finally(() => refusedWait.cancel());
  garbage.client.dispose();
  // Reported with the rest, so one run tells about both.
  const refusal = refused.code === 4401 || refused.code === 4403
    ? null
    : `a garbage token was refused with close code ${describeClose(refused)}, not 4401 or 4403`;
  try {
    const expired = await subscribeUntilExpiry(shortToken, expiry);
    if (refusal) throw new Error(`${refusal} (the subscription part passed: ${expired})`);
    return `garbage token refused with ${describeClose(refused)}; ${expired}`;
  } catch (err) {
    if (refusal && !err.message.startsWith(refusal)) throw new Error(`${refusal}; and ${err.message}`);
    throw err;
  }
});

async function subscribeUntilExpiry(shortToken, expiry) {
  // 2. Subscribe with the short-lived token.
  assert.ok(expiry - Date.now() > 2_000,
    `the short-lived token expires in ${((expiry - Date.now()) / 1000).toFixed(1)} s; too late to start`);
  const { client, closed, connected } = connect(shortToken);
  const events = [];
  let waiter;
  let subscriptionError;
  client.subscribe({ query: SLOT_POSTED }, {
    next: (value) => {
      events.push(value);
      waiter?.();
    },
    error: (err) => {
      subscriptionError = err;
      waiter?.();
    },
    complete: () => {},
  });
  // Subscribed once the server acknowledged the connection.
  for (let waited = 0; !connected() && waited < 3_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(connected(), "the short-lived token's connection was not acknowledged within 3 s");
  // Give the server a moment to register the subscription before the event.
  await new Promise((resolve) => setTimeout(resolve, 300));

  // 3. Post an open slot over HTTP with the long-lived admin token.
  const employers = await graphqlPost(EMPLOYER);
  const employerId = employers.employers.edges[0]?.node?.id;
  assert.ok(employerId, `no employer to post a slot for: ${show(employers)}`);
  const title = `Compat slot ${randomBytes(4).toString("hex")}`;
  const startsOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const posted = await graphqlPost(POST_SLOT, {
    input: { employerId, title, kind: "INTERNSHIP", places: 1, startsOn, status: "OPEN" },
  });
  const payload = posted.postInternshipSlot;
  assert.deepEqual(payload.userErrors, [], `postInternshipSlot refused: ${show(payload.userErrors)}`);
  assert.equal(payload.internshipSlot?.status, "OPEN", `the slot was not posted open: ${show(payload)}`);

  // 4. The event arrives.
  const matching = () => events.find((e) => e?.data?.slotPosted?.title === title);
  const eventWait = timeout(5_000, "");
  const gotEvent = await Promise.race([
    new Promise((resolve) => {
      waiter = () => { if (matching() || subscriptionError) resolve(true); };
      waiter();
    }),
    eventWait.catch(() => false),
  ]).finally(() => eventWait.cancel());
  assert.ok(!subscriptionError,
    `the subscription failed: ${show(subscriptionError?.message ?? subscriptionError?.code ?? subscriptionError)}`);
  assert.ok(gotEvent && matching(),
    `no slotPosted event titled "${title}" within 5 s; events: ${show(events)}`);
  const eventAt = Date.now();

  // 5. The server closes the socket with 4401 once the token expires.
  const deadline = Math.max(expiry, Date.now()) + 14_000;
  const closeWait = timeout(deadline - Date.now(), "");
  const closedEvent = await Promise.race([closed, closeWait.catch(() => null)])
    .finally(() => closeWait.cancel());
  client.dispose();
  assert.ok(closedEvent,
    `the slotPosted event arrived, but the socket was still open ` +
      `${((deadline - expiry) / 1000).toFixed(0)} s after the token expired ` +
      "(expected the server to close it with 4401)");
  const after = ((closedEvent.at - expiry) / 1000).toFixed(1);
  assert.equal(closedEvent.code, 4401,
    `the slotPosted event arrived, but the socket was closed with ${describeClose(closedEvent)} ` +
      `${after} s after the token's expiry, not 4401`);
  assert.ok(closedEvent.at >= eventAt, "closed before the event");
  return `event "${title}" received; ` +
    `closed with ${describeClose(closedEvent)} ${after} s after the token's expiry`;
}
