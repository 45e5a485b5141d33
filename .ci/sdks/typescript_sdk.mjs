// The official TypeScript SDK (`@openrouter/sdk`) against the emulator: run by .ci/sdks.sh
// (copied next to its node_modules). The same round trip as python_sdk.py, with the SDK's own
// calls and models (camelCase fields, parsed by the SDK's schemas). Any mismatch exits 1.

import { OpenRouter } from "@openrouter/sdk";
import { OpenRouterError } from "@openrouter/sdk/models/errors";
import { isDeepStrictEqual } from "node:util";

const client = new OpenRouter({
  apiKey: process.env.EMULATOR_KEY,
  serverURL: process.env.EMULATOR_URL,
  timeoutMs: 10_000,
});

function expect(what, got, want) {
  if (!isDeepStrictEqual(got, want)) {
    console.error(`typescript: MISMATCH ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    process.exit(1);
  }
  console.log(`typescript: ok ${what} = ${JSON.stringify(got)}`);
}

// The HTTP status of an error the SDK throws for `call`, or null when it succeeds.
async function statusOf(call) {
  try {
    await call();
  } catch (e) {
    if (e instanceof OpenRouterError) return e.statusCode;
    throw e;
  }
  return null;
}

const ws = client.workspaces;
const created = await ws.create({
  createWorkspaceRequest: { name: "SDK tools", slug: "sdk-tools", disabledServerTools: ["openrouter:web_search"] },
});
expect("create: disabledServerTools", created.data.disabledServerTools, ["openrouter:web_search"]);
const id = created.data.id;

const read = await ws.get({ id: "sdk-tools" });
expect("get: id", read.data.id, id);
expect("get: disabledServerTools", read.data.disabledServerTools, ["openrouter:web_search"]);

const tools = ["openrouter:bash", "openrouter:web_fetch"];
const updated = await ws.update({ id, updateWorkspaceRequest: { disabledServerTools: tools } });
expect("update: disabledServerTools", updated.data.disabledServerTools, tools);
expect("get after update", (await ws.get({ id })).data.disabledServerTools, tools);

const renamed = await ws.update({ id, updateWorkspaceRequest: { name: "SDK tools, renamed" } });
expect("update without the field keeps it", renamed.data.disabledServerTools, tools);

const cleared = await ws.update({ id, updateWorkspaceRequest: { disabledServerTools: null } });
expect("update with null clears", cleared.data.disabledServerTools, null);
expect("get after null", (await ws.get({ id })).data.disabledServerTools, null);

await ws.update({ id, updateWorkspaceRequest: { disabledServerTools: ["openrouter:shell"] } });
const emptied = await ws.update({ id, updateWorkspaceRequest: { disabledServerTools: [] } });
expect("update with [] clears", emptied.data.disabledServerTools, []);
expect("get after []", (await ws.get({ id })).data.disabledServerTools, []);

expect(
  "delete the default workspace without the confirmation: status",
  await statusOf(() => ws.delete({ id: "default" })),
  400,
);
const deleted = await ws.delete({ id: "default", confirmDefaultWorkspaceDeletion: true });
expect("delete the default workspace with the confirmation: deleted", deleted.deleted, true);
expect("get the deleted default workspace: status", await statusOf(() => ws.get({ id: "default" })), 404);
console.log("typescript: every check passed");
