/** The `prodinsights` executable: wires the process to runCli. */
import { processIo } from "./io";
import { runCli } from "./run";

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`prodinsights: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
