import { writeFile } from "node:fs/promises";
import path from "node:path";
import { CONFIG_FILE_NAME } from "../../config/load";
import { starterConfig } from "../../config/starter";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { stringFlag } from "../parse";

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const initCommand: Command = {
  name: "init",
  summary: "Writes a commented starter prodinsights.yaml: one backend and one model, the rest shown in comments.",
  usage: "init [--url URL] [--model NAME] [--file PATH] [--force]",
  flags: {
    url: { type: "string", description: "the Prometheus-compatible API", default: "http://localhost:9090" },
    model: { type: "string", description: "the model's name, as the `model` label has it", default: "churn" },
    file: { type: "string", description: "where to write", default: CONFIG_FILE_NAME },
    force: { type: "boolean", description: "overwrite an existing file" },
  },
  examples: ["prodinsights init", "prodinsights init --url https://prometheus.internal:9090 --model fraud"],
  async run(args, io) {
    const url = stringFlag(args, "url");
    const model = stringFlag(args, "model");
    const file = stringFlag(args, "file") ?? CONFIG_FILE_NAME;
    if (url !== undefined && !/^https?:\/\/[^\s'"#]+$/.test(url)) throw new UsageError(`--url ${JSON.stringify(url)} must be an http:// or https:// URL without spaces or quotes`);
    if (model !== undefined && !NAME.test(model)) throw new UsageError(`--model '${model}': names take letters, digits, _ . and -, and start with a letter or _`);
    const text = starterConfig({ ...(url ? { url } : {}), ...(model ? { model } : {}) });
    try {
      // "wx" refuses to replace a file that exists, in the same step as the write.
      await writeFile(file, text, { encoding: "utf8", flag: args.values["force"] ? "w" : "wx" });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new UsageError(`${file} exists; pass --force to replace it`);
      if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
      throw err;
    }
    io.stdout(`Wrote ${path.relative(process.cwd(), path.resolve(file)) || file}. Check it and its backend with: prodinsights check${file === CONFIG_FILE_NAME ? "" : ` --config ${file}`}\n`);
    return 0;
  },
};
