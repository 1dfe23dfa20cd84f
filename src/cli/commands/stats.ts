import type { Command } from "../command";
import { UsageError } from "../errors";
import { STATS_TESTS, runStats } from "../statsContract";

export const statsCommand: Command = {
  name: "stats",
  summary: "Run one statistical test: one JSON object on stdin, one JSON object on stdout.",
  usage: "stats <test> < input.json",
  flags: {},
  details: [
    "Tests (input -> output):",
    ...Object.entries(STATS_TESTS).map(([name, t]) => `  ${name.padEnd(12)}${t.input}\n  ${"".padEnd(12)}-> ${t.output}`),
    "",
    "Bad input exits with code 2 and one line on stderr that names the field.",
  ].join("\n"),
  examples: [
    `echo '{"x":[5.1,4.9,5.6,5.8],"y":[6.2,6.4,5.9,6.8]}' | prodinsights stats welch`,
    `echo '{"successes":[378,462],"trials":[3662,3568]}' | prodinsights stats proportions`,
    `echo '{"kind":"proportions","p1":0.10,"p2":0.11}' | prodinsights stats power`,
  ],
  async run(args, io) {
    const [test, ...rest] = args.positionals;
    if (!test) throw new UsageError(`name a test: one of ${Object.keys(STATS_TESTS).join(", ")}`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'; the input comes on stdin`);
    if (!(test in STATS_TESTS)) throw new UsageError(`unknown test '${test}'; choose one of ${Object.keys(STATS_TESTS).join(", ")}`);
    const text = await io.readStdin();
    if (text === undefined || text.trim() === "") {
      throw new UsageError(`'stats ${test}' reads one JSON object on stdin, e.g. echo '${STATS_TESTS[test]!.input}' | prodinsights stats ${test}`);
    }
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`stdin is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    io.stdout(`${JSON.stringify(runStats(test, input))}\n`);
    return 0;
  },
};
