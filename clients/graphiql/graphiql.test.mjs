// GraphiQL as a person uses it, in headless Chromium with every host but
// the test server blocked (so a page that needs a CDN fails here):
//   a) the page at /graphql renders GraphiQL; nothing fails to load, no
//      Content-Security-Policy violation, no request leaves the server;
//   b) a query with a bearer token from the Headers editor returns data;
//   c) a subscription over graphql-transport-ws, authenticated by the same
//      headers in connection_init, receives an event that this script
//      causes from Node.
//   node graphiql.test.mjs <base url> <administrator token>
// Exits non-zero on the first failure, saying why. `run` beside this file
// starts a server and calls it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node graphiql.test.mjs <base url> <administrator token>");
  process.exit(2);
}
const server = new URL(base);
const endpoint = new URL("/graphql", server).href;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Generous for a 2-core CI machine; each wait below has its own, shorter one.
const WHOLE_TEST_MS = 180_000;
const STEP_MS = 30_000;

const watchdog = setTimeout(() => {
  console.error(`FAIL: the whole test took over ${WHOLE_TEST_MS / 1000} s`);
  process.exit(1);
}, WHOLE_TEST_MS);

/** Everything the browser reports that should not happen; checked after each step. */
const problems = [];
/** Requests to anywhere but the test server: blocked, and each one a failure. */
const offsite = [];
/** Every graphql-transport-ws frame, in order, as `> json` (sent) or `< json`. */
const frames = [];

const profile = mkdtempSync(join(tmpdir(), "graphiql-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  // Debian's Chromium as it is, never a browser playwright would download.
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    // No name resolves but the server's: offline below the interception too.
    `--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE ${server.hostname}`,
  ],
  viewport: { width: 1280, height: 800 },
  timeout: STEP_MS,
});
context.setDefaultTimeout(STEP_MS);

let passed = 0;
let failed = 0;
try {
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === server.origin || url.protocol === "data:") {
      return route.continue();
    }
    offsite.push(url.href);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(
    (url) => url.host !== server.host,
    (ws) => {
      offsite.push(ws.url());
      return ws.close();
    },
  );
  // Reported straight to Node: CDP bindings and init scripts are not
  // subject to the page's CSP, which is what is under test.
  await context.exposeBinding("__reportCspViolation", (_source, text) => {
    problems.push(`CSP violation: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__reportCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || "an inline resource"} ` +
          `(${e.sourceFile || "the page"}:${e.lineNumber})`,
      );
    });
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) => {
    const url = new URL(request.url());
    if (url.origin === server.origin) {
      problems.push(`failed to load ${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
    }
  });
  page.on("websocket", (ws) => {
    ws.on("framesent", (frame) => frames.push(`> ${frame.payload}`));
    ws.on("framereceived", (frame) => frames.push(`< ${frame.payload}`));
    ws.on("socketerror", (error) => problems.push(`WebSocket error on ${ws.url()}: ${error}`));
  });

  await step("a) the page at /graphql renders GraphiQL, offline, within its CSP", async () => {
    const introspection = page.waitForResponse(
      (r) => r.url() === endpoint && r.request().postData()?.includes("__schema"),
    );
    const response = await page.goto(endpoint, { waitUntil: "load" });
    const accept = (await response.request().allHeaders()).accept ?? "";
    check(accept.includes("text/html"), `the navigation sent Accept: ${accept}`);
    check(response.status() === 200, `GET /graphql answered ${response.status()}`);
    const headers = await response.allHeaders();
    check(
      headers["content-type"]?.startsWith("text/html"),
      `GET /graphql answered ${headers["content-type"]}, not HTML`,
    );
    const csp = headers["content-security-policy"] ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self';", "connect-src 'self'"]) {
      check(csp.includes(directive), `the page's CSP lacks ${directive}: ${csp}`);
    }
    check(!csp.includes("unsafe-"), `the page's CSP allows something unsafe: ${csp}`);
    await page.locator(".graphiql-container").waitFor();
    await page.locator(".graphiql-query-editor .CodeMirror").waitFor();
    // The schema came from /graphql: the fetcher points where it should.
    const schema = await introspection;
    check(schema.status() === 200, `introspection answered ${schema.status()}`);
    // A dialog adds a <style> element: it must pass the CSP by its nonce.
    await page.getByRole("button", { name: "Open settings dialog" }).click();
    await page.locator(".graphiql-dialog").waitFor();
    await page.keyboard.press("Escape");
    await page.locator(".graphiql-dialog").waitFor({ state: "detached" });
  });

  await step("b) a query with the bearer token from the Headers editor returns data", async () => {
    await setEditor(page, ".graphiql-query-editor", "{ viewer { role } }");
    await page.locator(".graphiql-editor-tools button", { hasText: /^Headers$/ }).click();
    await setEditor(
      page,
      ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
      JSON.stringify({ Authorization: `Bearer ${token}` }),
    );
    const sent = page.waitForRequest(
      (r) => r.url() === endpoint && r.method() === "POST" && r.postData()?.includes("viewer"),
    );
    await page.locator(".graphiql-execute-button").click();
    const request = await sent;
    check(
      (await request.allHeaders()).authorization === `Bearer ${token}`,
      "the query was sent without the Authorization header from the Headers editor",
    );
    await waitForResult(page, "ADMINISTRATOR");
  });

  await step("c) a subscription receives an event over graphql-transport-ws", async () => {
    await setEditor(page, ".graphiql-query-editor", "subscription { slotPosted { title } }");
    const socket = page.waitForEvent("websocket");
    await page.locator(".graphiql-execute-button").click();
    const ws = await socket;
    const wsUrl = new URL(ws.url());
    check(
      wsUrl.protocol === "ws:" && wsUrl.host === server.host && wsUrl.pathname === "/graphql/ws",
      `the subscription went to ${ws.url()}, not ws://${server.host}/graphql/ws`,
    );
    // The protocol's handshake, with the token in connection_init.
    const init = await waitForFrame(">", "connection_init");
    check(
      init.payload?.Authorization === `Bearer ${token}`,
      `connection_init carried ${JSON.stringify(init.payload)}, not the Authorization header`,
    );
    await waitForFrame("<", "connection_ack");
    await waitForFrame(">", "subscribe");
    // The server may register the subscription a moment after the
    // subscribe frame: post again (a new title each time) until one shows.
    const employer = await employerId();
    const titles = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const title = `GraphiQL offline check ${Date.now()}-${attempt}`;
      await postOpenSlot(employer, title);
      titles.push(title);
      if (await resultShowsAny(page, titles, 4_000)) return;
    }
    throw new Error(
      `none of the ${titles.length} posted slots reached the result pane; it shows:\n` +
        (await resultText(page)) +
        `\nframes:\n${frames.join("\n")}`,
    );
  });
} catch (error) {
  // A failure of the setup itself, outside any step.
  failed++;
  console.error(`FAIL: ${error?.stack ?? error}`);
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed === 3 ? 0 : 1);

/** Runs one check; on failure saves a screenshot and stops the test. */
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    check(offsite.length === 0, `requests left the server: ${offsite.join(", ")}`);
    check(problems.length === 0, `the browser reported:\n  ${problems.join("\n  ")}`);
    passed++;
    console.log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    const shot = join(tmpdir(), `graphiql-failure-${Date.now()}.png`);
    const page = context.pages()[0];
    const saved = await page
      ?.screenshot({ path: shot })
      .then(() => ` (screenshot: ${shot})`)
      .catch(() => "");
    throw new Error(`${name}: ${error?.message ?? error}${saved}`, { cause: error });
  }
}

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** Replaces an editor's text through CodeMirror 5's own API, as typing would. */
async function setEditor(page, container, text) {
  const editor = page.locator(`${container} .CodeMirror`);
  await editor.waitFor();
  await editor.evaluate((element, value) => element.CodeMirror.setValue(value), text);
  const now = await editor.evaluate((element) => element.CodeMirror.getValue());
  check(now === text, `the editor in ${container} holds ${JSON.stringify(now)}`);
  if (container === ".graphiql-query-editor") {
    // GraphiQL parses the query a moment after a change (debounced), and
    // runs what it parsed last: wait for that, as a person would pause
    // before clicking. It tells a subscription from a query by it.
    await editor.evaluate(
      (element, value) =>
        new Promise((resolve, reject) => {
          const until = Date.now() + 10_000;
          (function poll() {
            if (element.CodeMirror.documentAST?.loc?.source?.body === value) return resolve();
            if (Date.now() > until) return reject(new Error("GraphiQL never parsed the new query"));
            setTimeout(poll, 20);
          })();
        }),
      text,
    );
  }
}

async function resultText(page) {
  return page
    .locator(".graphiql-response .CodeMirror")
    .evaluate((element) => element.CodeMirror.getValue())
    .catch((error) => `(no result pane: ${error.message})`);
}

async function waitForResult(page, expected) {
  const shown = await resultShowsAny(page, [expected], STEP_MS);
  check(shown, `the result pane never showed ${expected}; it shows:\n${await resultText(page)}`);
}

async function resultShowsAny(page, expected, timeout) {
  return page
    .waitForFunction(
      (texts) => {
        const value = document.querySelector(".graphiql-response .CodeMirror")?.CodeMirror?.getValue() ?? "";
        return texts.some((text) => value.includes(text));
      },
      expected,
      { timeout, polling: 100 },
    )
    .then(() => true)
    .catch((error) => {
      if (error.name === "TimeoutError") return false;
      throw error;
    });
}

/** Waits for a graphql-transport-ws message of `type` sent (">") or received ("<"). */
async function waitForFrame(direction, type) {
  const deadline = Date.now() + STEP_MS;
  while (Date.now() < deadline) {
    for (const frame of frames) {
      if (!frame.startsWith(`${direction} `)) continue;
      const message = JSON.parse(frame.slice(2));
      if (message.type === type) return message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${type} frame ${direction === ">" ? "sent" : "received"}; frames:\n${frames.join("\n")}`);
}

/** A GraphQL request from Node, as the administrator. */
async function graphql(query, variables = {}) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const body = await response.json();
  if (!response.ok || body.errors) {
    throw new Error(`${query.split("(")[0]} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

async function employerId() {
  const data = await graphql("{ employers(first: 1) { edges { node { id } } } }");
  const id = data.employers.edges[0]?.node.id;
  check(id, "the seeded database has no employer");
  return id;
}

/** Posts an open slot: what `slotPosted` announces. */
async function postOpenSlot(employerId, title) {
  const startsOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const data = await graphql(
    `mutation PostSlot($input: PostInternshipSlotInput!) {
      postInternshipSlot(input: $input) {
        internshipSlot { id status }
        userErrors { code field message }
      }
    }`,
    { input: { employerId, title, kind: "INTERNSHIP", places: 1, startsOn, status: "OPEN" } },
  );
  const payload = data.postInternshipSlot;
  check(
    payload.userErrors.length === 0 && payload.internshipSlot?.status === "OPEN",
    `postInternshipSlot refused: ${JSON.stringify(payload)}`,
  );
}
