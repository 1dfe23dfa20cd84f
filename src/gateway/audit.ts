/**
 * The audit log: every change to routing, one JSON line each, appended and never rewritten: who
 * (the admin caller's `x-actor` header, else "admin"; "canary" for the canary host), what, and the
 * model's routing before and after. Each line is written with its own append, so that a crash
 * loses at most the change in flight.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface AuditEntry {
  readonly ts: string;
  readonly who: string;
  readonly action: string;
  readonly model: string;
  readonly details?: unknown;
  readonly before: unknown;
  readonly after: unknown;
}

export class AuditLog {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  append(entry: AuditEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  /** The newest `limit` entries, oldest first. */
  tail(limit: number): AuditEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    const lines = text.split("\n").filter((l) => l !== "");
    return lines.slice(Math.max(0, lines.length - limit)).map((l) => JSON.parse(l) as AuditEntry);
  }
}
