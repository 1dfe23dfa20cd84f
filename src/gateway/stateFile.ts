/**
 * The gateway's state (routing weights, canaries in progress) on disk, written so that a crash at
 * any moment, `kill -9` included, leaves either the old file or the new one, never a torn one:
 * the JSON goes to a temporary file in the same folder, is fsynced, renamed over the state file,
 * and the folder is fsynced so that the rename itself survives a power cut.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/** A state file that exists but cannot be used; the gateway refuses to start rather than guess. */
export class StateFileError extends Error {
  override readonly name = "StateFileError";
}

/** Writes `state` as JSON to `file` atomically. */
export function writeStateFile(file: string, state: unknown): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const data = Buffer.from(`${JSON.stringify(state, null, 2)}\n`, "utf8");
  const fd = openSync(temp, "w", 0o600);
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // The rename is durable only once the folder's entry is on disk (not possible on every platform).
  try {
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Windows cannot open a folder for fsync; the rename is still atomic there.
  }
}

/** The state in `file`, or undefined when there is none yet; a file that is not JSON is an error naming it. */
export function readStateFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`cannot read the gateway state ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StateFileError(`the gateway state ${file} is not valid JSON (${(err as Error).message}); move it aside to start from gateway.yaml`);
  }
}
