/**
 * The extension in a workspace nobody has trusted (VS Code's Restricted Mode), in real VS Code:
 * code-server with workspace trust on, on a small workspace whose prodinsights.yaml names a real
 * gateway on this machine and whose token file would let it act. The extension must stay read-only:
 * actions are refused with the reason, the gateway's routing does not change, no credential is
 * sent, and a notebook's cells wait for trust (VS Code asks before running any).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createServer, type Server } from "node:http";
import { startHarness, TOKEN, type Harness } from "../support/gatewayHarness";
import { clearNotifications, clickDialogButton, EditorSession, editorPartsOrSkip, notification, openFile, openViewContainer, readDialog, runCommand, waitForNotification, waitForTree } from "../support/vscodeDriver";

describe("the extension in an untrusted workspace, in real VS Code", async () => {
  const { skip, failed } = await editorPartsOrSkip();
  if (failed) return;
  let dir: string;
  let gateway: Harness | undefined;
  let editor: EditorSession | undefined;
  /** A metrics backend whose bearer token is a stored secret: it must get no request from a notebook here. */
  let prometheus: Server | undefined;
  const promRequests: string[] = [];

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-e2e-untrusted-"));
    gateway = await startHarness({ v1: 100, v2: 0 });
    const ws = path.join(dir, "ws");
    mkdirSync(path.join(ws, ".prodinsights"), { recursive: true });
    // A loopback gateway and the token file the demo would write: trusted, the editor could act with it.
    writeFileSync(path.join(ws, ".prodinsights", "gateway-token"), `${TOKEN}\n`, { mode: 0o600 });
    prometheus = createServer((req, res) => {
      promRequests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "(no authorization)"}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => prometheus!.listen(0, "127.0.0.1", resolve));
    const promUrl = `http://127.0.0.1:${(prometheus.address() as { port: number }).port}`;
    // A notebook with a pure cell and a cell that reads the backend that needs the secret.
    writeFileSync(
      path.join(ws, "restricted.prodnb"),
      JSON.stringify({
        prodinsights_notebook: 1,
        metadata: { range: "-1h..now", backend: "prom" },
        cells: [
          { kind: "code", language: "prodinsights", source: ["sample-size --baseline 0.1 --mde 0.01"] },
          { kind: "code", language: "promql", source: ["up"] },
        ],
      }, null, 2),
    );
    writeFileSync(
      path.join(ws, "prodinsights.yaml"),
      ["version: 1", "backends:", "  logs: {type: logs, paths: [\"logs/*.jsonl\"]}", `  prom: {url: "${promUrl}", auth: {bearer: "\${secret:PROM_TOKEN}"}}`, "gateway:", `  url: "${gateway.gw.adminUrl}"`, "  token: ${env:PRODINSIGHTS_GATEWAY_TOKEN}", "models:", "  churn:", "    rollout: gateway", ""].join("\n"),
    );
    writeFileSync(path.join(ws, "churn_model.py"), 'MODEL_VERSION = "v2"\n');
    editor = await EditorSession.start({ folder: ws, runDir: path.join(dir, "run"), suite: "untrusted", trust: false });
  });

  after(async () => {
    await editor?.close();
    await gateway?.close();
    prometheus?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the workspace opens in Restricted Mode and the views say why they are not connected", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("restricted mode", async () => {
      await page.locator(".statusbar-item", { hasText: "Restricted Mode" }).first().waitFor({ timeout: 60_000 });
      await openViewContainer(page, "Production Insights");
      const rows = await waitForTree(page, "Models", (r) => r.some((x) => /not trusted/.test(x.label)));
      assert.ok(rows.some((r) => /^The workspace is not trusted: no credentials are sent, and rollout actions are off\./.test(r.label)), JSON.stringify(rows));
    });
  });

  test("Promote Version… is refused with the reason, and the gateway's routing does not change", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("promote refused", async () => {
      const before = await gateway!.admin("GET", "/state");
      await clearNotifications(page);
      await runCommand(page, "Production Insights: Promote Version…");
      const message = await waitForNotification(page, /Promote Version is disabled/);
      assert.equal(message, "Promote Version is disabled: this workspace is not trusted, so Production Insights is read-only here.");
      assert.ok(await notification(page, /Promote Version is disabled/).locator(".monaco-button", { hasText: "Manage Workspace Trust" }).isVisible());
      // Neither a version picker nor a confirmation came up.
      assert.equal(await page.locator(".monaco-dialog-box").count(), 0);
      assert.equal(await page.locator(".quick-input-widget .quick-input-title", { hasText: "Promote" }).count(), 0);
      await editor!.screenshot("untrusted-refused", { docs: true });
      const after = await gateway!.admin("GET", "/state");
      assert.deepEqual(after.json, before.json);
      assert.deepEqual(after.json.models.churn.weights, { v1: 100, v2: 0 });
      const audit = await gateway!.admin("GET", "/audit");
      assert.deepEqual(audit.json.entries, [], "nothing was changed through the admin API");
    });
  });

  test("Roll Back Version… is refused too", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("rollback refused", async () => {
      await clearNotifications(page);
      await runCommand(page, "Production Insights: Roll Back Version…");
      await waitForNotification(page, "Roll Back Version is disabled: this workspace is not trusted, so Production Insights is read-only here.");
      assert.deepEqual((await gateway!.admin("GET", "/state")).json.models.churn.weights, { v1: 100, v2: 0 });
    });
  });

  test("a notebook's cells do not run in Restricted Mode: VS Code asks for trust first, and Cancel runs nothing", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("restricted notebook", async () => {
      await openFile(page, "restricted.prodnb");
      await runCommand(page, "Notebook: Run All");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Do you trust the authors of the files in this folder?");
      assert.ok(dialog.buttons.includes("Trust Folder & Continue") && dialog.buttons.includes("Cancel"), JSON.stringify(dialog.buttons));
      await clickDialogButton(page, "Cancel");
      // Nothing to wait for but time: give a cell that would run a few seconds to show up.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.doesNotMatch(editor!.extensionLog(), /notebook restricted\.prodnb cell/);
      assert.deepEqual(promRequests, [], "no request, so no credential, went to the workspace's backend");
    });
  });
});
