/**
 * Faults a real Unleash cannot be made to produce, on a fake server: something that is not JSON
 * where Unleash would answer (a proxy's page), a body that breaks off, and a server that never
 * answers. The real server's behaviour is tested in unleash.integration.test.ts.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { ProviderError } from "../../src/rollout/provider";
import { UnleashProvider } from "../../src/rollout/unleash";

let server: Server;
let url: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes("/features/html")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>Sign in to the proxy</html>");
    } else if (req.url?.includes("/features/cut")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"environments": [');
      setTimeout(() => res.socket?.destroy(), 20);
    }
    // Anything else: never answered.
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const provider = (timeoutMs = 5000): UnleashProvider => new UnleashProvider({ url, token: "t", project: "default", environment: "production", flags: (m) => ({ flag: m, stickiness: "userId" }), timeoutMs });

test("a page that is not JSON: a refusal that asks whether the URL is Unleash", async () => {
  await assert.rejects(provider().status("html"), (e: unknown) => e instanceof ProviderError && e.kind === "refused" && /reading flag 'html': Unleash answered 200 with something that is not JSON: is http:\/\/127\.0\.0\.1:\d+ an Unleash server\?/.test(e.message));
});

test("a body that breaks off: unreachable, said as such", async () => {
  await assert.rejects(provider().status("cut"), (e: unknown) => e instanceof ProviderError && e.kind === "unreachable" && /reading flag 'cut': Unleash's answer broke off/.test(e.message));
});

test("a server that never answers: a timeout, and the caller's cancel wins over it", async () => {
  await assert.rejects(provider(300).status("hang"), (e: unknown) => e instanceof ProviderError && e.kind === "unreachable" && /did not answer in time/.test(e.message));
  const abort = new AbortController();
  const pending = provider().status("hang", abort.signal);
  setTimeout(() => abort.abort(new Error("cancelled by the user")), 50);
  await assert.rejects(pending, /cancelled by the user/);
});
