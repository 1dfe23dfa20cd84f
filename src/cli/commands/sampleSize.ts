import type { SampleSizeFigures } from "../../core/results/report";
import { proportionsSampleSize } from "../../core/stats/power";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { count, percent, points } from "../format";
import { numberFlag } from "../parse";

export const sampleSizeCommand: Command = {
  name: "sample-size",
  summary: "Units needed per arm to detect a change in a conversion rate (two-sided two-proportion test).",
  usage: "sample-size --baseline RATE --mde EFFECT [--relative] [--power 0.8] [--alpha 0.05] [--json]",
  flags: {
    baseline: { type: "string", description: "the baseline conversion rate, e.g. 0.10" },
    mde: { type: "string", description: "minimum detectable effect: absolute (0.01 = 1 pp) unless --relative" },
    relative: { type: "boolean", description: "read --mde as a relative lift (0.05 = +5%)" },
    power: { type: "string", description: "the chance to detect the effect if it is real", default: "0.8" },
    alpha: { type: "string", description: "the two-sided significance level", default: "0.05" },
    json: { type: "boolean", description: "print a JSON object instead of a sentence" },
  },
  details: "Matches R's power.prop.test (n per group, here rounded up).",
  examples: [
    "prodinsights sample-size --baseline 0.10 --mde 0.01",
    "prodinsights sample-size --baseline 0.10 --mde 0.05 --relative --power 0.9",
  ],
  async run(args, io) {
    const baseline = numberFlag(args, "baseline");
    const mde = numberFlag(args, "mde");
    if (baseline === undefined) throw new UsageError("--baseline is required, e.g. --baseline 0.10");
    if (mde === undefined) throw new UsageError("--mde is required, e.g. --mde 0.01");
    const relative = args.values["relative"] === true;
    const power = numberFlag(args, "power", 0.8)!;
    const alpha = numberFlag(args, "alpha", 0.05)!;
    const target = relative ? baseline * (1 + mde) : baseline + mde;
    if (!(target > 0 && target < 1)) {
      throw new UsageError(`the baseline ${baseline} with an MDE of ${mde}${relative ? " (relative)" : ""} gives ${target}, which is not a rate`);
    }
    let n: number;
    try {
      n = proportionsSampleSize({ p1: baseline, p2: target, alpha, power }).n;
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message.replace(/^\w+: /, "") : String(err));
    }
    const perArm = Math.ceil(n);
    if (args.values["json"]) {
      const doc: SampleSizeFigures = { n, perArm, total: 2 * perArm, p1: baseline, p2: target, alpha, power };
      io.stdout(`${JSON.stringify(doc)}\n`);
      return 0;
    }
    io.stdout(
      `${count(perArm)} units per arm (${count(2 * perArm)} in all) to detect ${percent(baseline)} -> ${percent(target)} ` +
        `(${points(target - baseline)}, ${percent(target / baseline - 1, 1, true)} relative)\n` +
        `with power ${percent(power, 0)} at alpha ${alpha}, two-sided.\n`,
    );
    return 0;
  },
};
