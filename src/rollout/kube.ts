/**
 * Just enough of Kubernetes for the Argo Rollouts provider: a kubeconfig's target (server, CA,
 * credentials, namespace) and a REST client for GET, PATCH and list. Not a general client: no
 * watch, no exec or auth-provider plugins, no proxy settings.
 *
 * The client uses node:https rather than fetch: fetch cannot present a client certificate without
 * undici's Agent (a `dispatcher`), which is not a dependency, and most kubeconfigs made by kind,
 * kubeadm or minikube authenticate with one.
 */
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import path from "node:path";
import { parse } from "yaml";
import { ProviderError } from "./provider";

/** Where and as whom to reach one cluster: a kubeconfig context, resolved. */
export interface KubeTarget {
  /** The context it came from. */
  readonly context: string;
  /** The API server's URL, e.g. https://127.0.0.1:6443 (a path prefix is kept). */
  readonly server: string;
  /** The namespace to work in: the option, else the context's, else "default". */
  readonly namespace: string;
  /** PEM of the CA that signs the server's certificate; absent: the system's CAs. */
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly token?: string;
  /** PEM client certificate and key, both or neither. */
  readonly clientCert?: Buffer;
  readonly clientKey?: Buffer;
}

interface Named<T> {
  readonly name?: string;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}

type Fields = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The target of a kubeconfig's context: `options.context`, else `current-context`. File references
 * (certificate-authority, client-certificate, client-key, tokenFile) are read relative to
 * `baseDir`, the kubeconfig's folder. Throws an Error that names what is missing or unsupported.
 */
export function loadKubeconfig(text: string, options: { context?: string; namespace?: string; baseDir: string }): KubeTarget {
  let doc: Fields;
  try {
    doc = (parse(text) ?? {}) as Fields;
  } catch (err) {
    throw new Error(`kubeconfig: not YAML (${(err as Error).message.split("\n")[0]})`);
  }
  const list = (key: string): Named<Fields>[] => (Array.isArray(doc[key]) ? (doc[key] as Named<Fields>[]) : []);
  const names = (items: Named<Fields>[]): string => (items.length > 0 ? items.map((i) => i.name ?? "(unnamed)").join(", ") : "none");
  const pick = (key: "contexts" | "clusters" | "users", name: string, what: string): Fields => {
    const items = list(key);
    const found = items.find((i) => i.name === name);
    const body = found?.[key.slice(0, -1) as "context" | "cluster" | "user"];
    if (!found) throw new Error(`kubeconfig: no ${what} '${name}'; the ${key} are: ${names(items)}`);
    return body ?? {};
  };

  const contextName = options.context ?? str(doc["current-context"]);
  if (!contextName) throw new Error(`kubeconfig: no current-context, and no context was given; the contexts are: ${names(list("contexts"))}`);
  const context = pick("contexts", contextName, "context");
  const clusterName = str(context["cluster"]);
  if (!clusterName) throw new Error(`kubeconfig: context '${contextName}' names no cluster`);
  const cluster = pick("clusters", clusterName, "cluster");
  const server = str(cluster["server"]);
  if (!server) throw new Error(`kubeconfig: cluster '${clusterName}' has no server`);

  const file = (p: string, what: string): Buffer => {
    const full = path.resolve(options.baseDir, p);
    try {
      return readFileSync(full);
    } catch (err) {
      throw new Error(`kubeconfig: cannot read the ${what} ${full} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const data = (v: unknown): Buffer | undefined => (str(v) ? Buffer.from(v as string, "base64") : undefined);
  const either = (fields: Fields, dataKey: string, fileKey: string, what: string): Buffer | undefined =>
    data(fields[dataKey]) ?? (str(fields[fileKey]) ? file(fields[fileKey] as string, what) : undefined);

  const ca = either(cluster, "certificate-authority-data", "certificate-authority", `certificate authority of cluster '${clusterName}'`);
  const insecureSkipTlsVerify = cluster["insecure-skip-tls-verify"] === true;

  let token: string | undefined;
  let clientCert: Buffer | undefined;
  let clientKey: Buffer | undefined;
  const userName = str(context["user"]);
  if (userName) {
    const user = pick("users", userName, "user");
    if (user["exec"] || user["auth-provider"]) {
      const how = user["exec"] ? `an exec plugin (${str((user["exec"] as Fields)["command"]) ?? "?"})` : `an auth-provider (${str((user["auth-provider"] as Fields)["name"]) ?? "?"})`;
      throw new Error(`kubeconfig: user '${userName}' authenticates with ${how}, which is not supported; use a token (e.g. a ServiceAccount token) or a client certificate`);
    }
    if (str(user["username"]) && !str(user["token"])) throw new Error(`kubeconfig: user '${userName}' uses basic auth (username/password), which is not supported; use a token or a client certificate`);
    token = str(user["token"]) ?? (str(user["tokenFile"]) ? file(user["tokenFile"] as string, `token file of user '${userName}'`).toString("utf8").trim() : undefined);
    clientCert = either(user, "client-certificate-data", "client-certificate", `client certificate of user '${userName}'`);
    clientKey = either(user, "client-key-data", "client-key", `client key of user '${userName}'`);
    if (Boolean(clientCert) !== Boolean(clientKey)) throw new Error(`kubeconfig: user '${userName}' has a client ${clientCert ? "certificate but no key" : "key but no certificate"}`);
  }

  return {
    context: contextName,
    server,
    namespace: options.namespace ?? str(context["namespace"]) ?? "default",
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify,
    ...(token ? { token } : {}),
    ...(clientCert && clientKey ? { clientCert, clientKey } : {}),
  };
}

/** Per call: the caller's cancel, and what was asked, for the error message. */
export interface KubeCallOptions {
  readonly signal?: AbortSignal;
  /** E.g. "reading Rollout 'churn'"; default: the method and path. */
  readonly what?: string;
}

export type PatchType = "application/merge-patch+json" | "application/json-patch+json";

/** A Kubernetes `Status` body, as the API server answers a failure. */
interface KubeStatus {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
}

export class KubeClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(readonly target: KubeTarget, options: { timeoutMs?: number } = {}) {
    this.base = target.server.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get<T>(path: string, options: KubeCallOptions = {}): Promise<T> {
    return this.request<T>("GET", path, undefined, undefined, options);
  }

  patch<T>(path: string, body: unknown, contentType: PatchType, options: KubeCallOptions = {}): Promise<T> {
    return this.request<T>("PATCH", path, body, contentType, options);
  }

  /** A collection's items matching `labelSelector` (e.g. "app=churn,tier=api"). */
  async list<T>(path: string, labelSelector: string, options: KubeCallOptions = {}): Promise<T[]> {
    const answer = await this.request<{ items?: T[] | null }>("GET", `${path}?labelSelector=${encodeURIComponent(labelSelector)}`, undefined, undefined, options);
    return answer.items ?? [];
  }

  private request<T>(method: string, path: string, body: unknown, contentType: PatchType | undefined, options: KubeCallOptions): Promise<T> {
    const what = options.what ?? `${method} ${path}`;
    const where = `the Kubernetes API at ${this.base}`;
    const { signal } = options;
    const t = this.target;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error("aborted"));
        return;
      }
      let url: URL;
      try {
        url = new URL(this.base + path);
      } catch {
        reject(new ProviderError(`${what}: '${this.base}' is not a URL`, "unreachable"));
        return;
      }
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      let done = false;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const headers: Record<string, string> = { accept: "application/json" };
      if (t.token) headers["authorization"] = `Bearer ${t.token}`;
      if (payload) {
        headers["content-type"] = contentType ?? "application/json";
        headers["content-length"] = String(payload.length);
      }
      const tls: https.RequestOptions = url.protocol === "https:"
        ? { ...(t.ca ? { ca: t.ca } : {}), ...(t.clientCert ? { cert: t.clientCert, key: t.clientKey } : {}), rejectUnauthorized: !t.insecureSkipTlsVerify }
        : {};
      // No keep-alive pool: a provider makes a few calls per command, and pooled sockets would outlive them.
      const req = (url.protocol === "https:" ? https : http).request(url, { method, headers, agent: false, ...tls }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => finish(() => {
          try {
            resolve(this.answer<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), what));
          } catch (err) {
            reject(err);
          }
        }));
        res.on("close", () => {
          if (!res.complete) finish(() => reject(new ProviderError(`${what}: the answer from ${where} broke off`, "unreachable", res.statusCode)));
        });
      });
      req.on("error", (err: NodeJS.ErrnoException) => finish(() => reject(new ProviderError(`${what}: ${where} is unreachable (${err.code ?? err.message})`, "unreachable"))));
      const timer = setTimeout(() => {
        finish(() => reject(new ProviderError(`${what}: ${where} did not answer in ${this.timeoutMs / 1000} s`, "unreachable")));
        req.destroy();
      }, this.timeoutMs);
      const onAbort = (): void => {
        finish(() => reject(signal?.reason ?? new Error("aborted")));
        req.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(payload);
    });
  }

  private answer<T>(status: number, text: string, what: string): T {
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      if (status >= 200 && status < 300) throw new ProviderError(`${what}: ${this.base} answered ${status} with something that is not JSON: is it a Kubernetes API server?`, "refused", status);
    }
    if (status >= 200 && status < 300) return json as T;
    const s = (json ?? {}) as KubeStatus;
    const message = (typeof s.message === "string" && s.message !== "" ? s.message : text.slice(0, 300) || `HTTP ${status}`).split("\n")[0]!;
    if (status === 401) throw new ProviderError(`${what}: Kubernetes refused the credentials of context '${this.target.context}' (401: ${message})`, "unauthorized", status);
    if (status === 403) throw new ProviderError(`${what}: forbidden for context '${this.target.context}' (403: ${message}); its user needs RBAC rights for this`, "unauthorized", status);
    if (status === 404) throw new ProviderError(`${what}: not found (${message})`, "not-found", status);
    if (status === 409) throw new ProviderError(`${what}: conflict (${message}); read the status and try again`, "conflict", status);
    // A JSON Patch whose `test` op failed: the object changed since it was read.
    if (/test operation|testing value|test failed/i.test(message)) throw new ProviderError(`${what}: the object changed since it was read (${message}); read the status and try again`, "conflict", status);
    throw new ProviderError(`${what}: Kubernetes answered ${status}: ${message}`, "refused", status);
  }
}
