/**
 * How the client authenticates. Header values are secrets: they go into requests only, never into
 * errors or logs.
 */
export type PrometheusAuth =
  | { readonly type: "none" }
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  /** Arbitrary headers, e.g. `X-Scope-OrgID` for a multi-tenant proxy or an API-key header. */
  | { readonly type: "headers"; readonly headers: Readonly<Record<string, string>> };

/** Request headers for `auth`. Throws on a header name or value fetch would reject, without echoing the value. */
export function authHeaders(auth: PrometheusAuth | undefined): Record<string, string> {
  if (!auth) return {};
  switch (auth.type) {
    case "none":
      return {};
    case "bearer":
      checkValue("bearer token", auth.token);
      return { authorization: `Bearer ${auth.token}` };
    case "basic": {
      if (auth.username.includes(":")) throw new Error("Prometheus basic auth: the user name must not contain ':'");
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64");
      return { authorization: `Basic ${encoded}` };
    }
    case "headers": {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(auth.headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`Prometheus auth headers: '${name}' is not a valid header name`);
        checkValue(`header ${name}`, value);
        headers[name.toLowerCase()] = value;
      }
      return headers;
    }
  }
}

function checkValue(what: string, value: string): void {
  if (value === "") throw new Error(`Prometheus auth: the ${what} is empty`);
  if (/[\u0000-\u001f\u007f]/.test(value) || /[^\u0000-\u00ff]/.test(value)) {
    throw new Error(`Prometheus auth: the ${what} has characters that cannot go into an HTTP header (value not shown)`);
  }
}
