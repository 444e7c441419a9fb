// graphql-codegen: generate TypeScript types from the committed schema with
// the `typescript` plugin and strict scalars (codegen.ts), then compile them,
// with a file that uses them, by `tsc --noEmit --strict`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { promisify } from "node:util";
import { check } from "./lib.mjs";

const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;
const output = `${here}generated/schema-types.ts`;

async function tool(command, args) {
  try {
    return await run(`${here}node_modules/.bin/${command}`, args, { cwd: here, maxBuffer: 16 << 20 });
  } catch (err) {
    const lines = `${err.stdout ?? ""}\n${err.stderr ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
    const errors = lines.filter((l) => /✖|error|FAILED/i.test(l));
    const said = (errors.length ? errors : lines.slice(-8)).slice(0, 12).join(" | ");
    throw new Error(`${command} ${args.join(" ")} exited ${err.code}: ${said || err.message}`);
  }
}

await check("codegen", async () => {
  rmSync(output, { force: true });
  await tool("graphql-codegen", ["--config", "codegen.ts"]);
  const size = statSync(output, { throwIfNoEntry: false })?.size ?? 0;
  assert.ok(size > 0, `graphql-codegen wrote nothing to ${output}`);
  await tool("tsc", [
    "--noEmit", "--strict",
    "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
    "generated/schema-types.ts", "codegen-usage.ts",
  ]);
  return `generated/schema-types.ts (${Math.round(size / 1024)} KiB) compiles with tsc --noEmit --strict`;
});
