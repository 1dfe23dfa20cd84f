/**
 * A fake Kubernetes API server for the Argo Rollouts provider's tests: it serves recorded responses
 * (test/fixtures/argo, hand-recorded from the CRD types: see its README) and records each request.
 * It speaks TLS with a throwaway CA, server and client certificate made by the openssl CLI, so that
 * bearer-token and client-certificate authentication are exercised for real. It runs no
 * controller: a patch is recorded and answered, and the next read shows the same recorded state.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";

const FIXTURES = path.join(__dirname, "..", "fixtures", "argo");

/** A fixture of test/fixtures/argo, parsed afresh so that a test may change it. */
export const argoFixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Record<string, unknown>;

/** The requests the provider sends for Rollout `churn` in namespace `ml`, as the fixtures name it. */
export const NS = "/apis/argoproj.io/v1alpha1/namespaces/ml";
export const ROLLOUT = `${NS}/rollouts/churn`;
export const RS_LIST = "/apis/apps/v1/namespaces/ml/replicasets?labelSelector=app%3Dchurn";
export const RUNS = `${NS}/analysisruns?labelSelector=rollouts-pod-template-hash%3D6c9d8f7b5`;
export const VS = "/apis/networking.istio.io/v1beta1/namespaces/ml/virtualservices/churn";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly body?: unknown;
  readonly auth?: string;
  readonly clientCN?: string;
}

/** A response, or "hang" for one that never comes. */
export type Answer = { status: number; body: unknown } | "hang";

/** `METHOD path` → answer, for Rollout `churn` as `rollout` (a fixture's name) records it. */
export function argoRoutes(rollout = "rollout-paused"): Map<string, Answer> {
  return new Map<string, Answer>([
    [`GET ${ROLLOUT}`, { status: 200, body: argoFixture(rollout) }],
    [`GET ${RS_LIST}`, { status: 200, body: argoFixture("replicasets") }],
    [`GET ${RUNS}`, { status: 200, body: argoFixture("analysisruns") }],
    [`GET ${VS}`, { status: 200, body: argoFixture("virtualservice") }],
  ]);
}

export interface FakeKube {
  readonly url: string;
  readonly port: number;
  /** PEM: the CA that signed the server's and the client's certificates, and the client's pair (CN rollout-bot, O ml-team). */
  readonly pem: Readonly<Record<"ca" | "clientCert" | "clientKey", Buffer>>;
  close(): void;
}

/**
 * A kubeconfig whose one context (`test`, namespace `ml`) reaches `kube`, trusting its CA, as the
 * user authenticates: with a bearer token, or with the server's client certificate.
 */
export function kubeconfigOf(kube: FakeKube, user: { readonly token: string } | "client-certificate"): string {
  const b64 = (pem: Buffer): string => pem.toString("base64");
  const credentials = user === "client-certificate" ? `client-certificate-data: ${b64(kube.pem.clientCert)}, client-key-data: ${b64(kube.pem.clientKey)}` : `token: ${user.token}`;
  return [
    "apiVersion: v1",
    "kind: Config",
    "current-context: test",
    `clusters: [{name: fake, cluster: {server: "${kube.url}", certificate-authority-data: ${b64(kube.pem.ca)}}}]`,
    `users: [{name: bot, user: {${credentials}}}]`,
    "contexts: [{name: test, context: {cluster: fake, user: bot, namespace: ml}}]",
    "",
  ].join("\n");
}

/**
 * Starts the server on 127.0.0.1. Each request is pushed to `requests`; `answer` gives the
 * response to `METHOD path`, and when it gives none, a PATCH gets 200 with `{}` and anything else
 * the recorded 404.
 */
export async function startFakeKube(options: { readonly requests: Recorded[]; readonly answer: (key: string) => Answer | undefined }): Promise<FakeKube> {
  const dir = mkdtempSync(path.join(tmpdir(), "fake-kube-"));
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const read = (f: string): Buffer => readFileSync(path.join(dir, f));
  let pem: FakeKube["pem"];
  let key: Buffer;
  let cert: Buffer;
  try {
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl("req", "-x509", ...newKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=prodinsights-test-ca");
    writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl("req", ...newKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "server.ext");
    openssl("req", ...newKey, "-keyout", "client.key", "-out", "client.csr", "-subj", "/O=ml-team/CN=rollout-bot");
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "1");
    pem = { ca: read("ca.crt"), clientCert: read("client.crt"), clientKey: read("client.key") };
    key = read("server.key");
    cert = read("server.crt");
  } finally {
    // The keys are in memory now: nothing of them stays on disk.
    rmSync(dir, { recursive: true, force: true });
  }

  const server = createServer({ key, cert, ca: pem.ca, requestCert: true, rejectUnauthorized: false }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket as TLSSocket;
      const text = Buffer.concat(chunks).toString("utf8");
      options.requests.push({
        method: req.method!,
        path: req.url!,
        ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        ...(text ? { body: JSON.parse(text) as unknown } : {}),
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        ...(socket.authorized ? { clientCN: String(socket.getPeerCertificate().subject.CN) } : {}),
      });
      const answer = options.answer(`${req.method} ${req.url}`) ?? (req.method === "PATCH" ? { status: 200, body: {} } : { status: 404, body: argoFixture("status-404") });
      if (answer === "hang") return;
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    pem,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
