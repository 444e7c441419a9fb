// Shared by the checks: the server's address and tokens (set by `run`), and
// the one-line PASS/FAIL report each check ends with.

/** An environment variable `run` sets; a clear failure when it is missing. */
export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; run the checks with clients/compat/run`);
  }
  return value;
}

export const httpUrl = () => env("COMPAT_HTTP_URL");
export const wsUrl = () => env("COMPAT_WS_URL");
export const adminToken = () => env("COMPAT_ADMIN_TOKEN");

/** Compact JSON of a server answer, for failure messages. */
export function show(value, max = 600) {
  let text;
  try {
    text = typeof value === "string" ? value : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Runs a check: prints `PASS <name>: <detail>` (what the check returns) or
 * `FAIL <name>: <reason>` on one line, and exits 0 or 1. Exiting explicitly
 * also ends clients that would keep the process alive (sockets, timers).
 */
export async function check(name, body) {
  const deadline = setTimeout(() => {
    console.log(`FAIL ${name}: did not finish within 60 s`);
    process.exit(1);
  }, 60_000);
  try {
    const detail = await body();
    clearTimeout(deadline);
    console.log(`PASS ${name}${detail ? `: ${detail}` : ""}`);
    process.exit(0);
  } catch (err) {
    clearTimeout(deadline);
    console.log(`FAIL ${name}: ${oneLine(err)}`);
    if (process.env.COMPAT_VERBOSE && err?.stack) console.error(err.stack);
    process.exit(1);
  }
}

function oneLine(err) {
  const message = err?.message ?? String(err);
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/** A promise that rejects with `message` after `ms`, for `Promise.race`. */
export function timeout(ms, message) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  promise.cancel = () => clearTimeout(timer);
  return promise;
}

/** POST a GraphQL operation with the admin token; the parsed answer. */
export async function graphqlPost(query, variables, token = adminToken()) {
  const response = await fetch(httpUrl(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${show(text)}`);
  }
  if (!response.ok || body.errors) {
    throw new Error(`HTTP ${response.status}: ${show(body)}`);
  }
  return body.data;
}
