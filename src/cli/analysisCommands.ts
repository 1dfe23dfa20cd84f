import type { Command } from "./command";
import { abCommand } from "./commands/ab";
import { compareCommand } from "./commands/compare";
import { driftCommand } from "./commands/drift";
import { jumpsCommand } from "./commands/jumps";
import { queryCommand } from "./commands/query";
import { sampleSizeCommand } from "./commands/sampleSize";
import { statsCommand } from "./commands/stats";

/** The commands that read and analyse, and change nothing: what notebooks and the editor may run. */
export const ANALYSIS_COMMANDS: readonly Command[] = [abCommand, driftCommand, jumpsCommand, sampleSizeCommand, compareCommand, statsCommand, queryCommand];

/** What a notebook cell may run: the analyses but `stats`, which reads its input from stdin. */
export const NOTEBOOK_COMMANDS: readonly Command[] = ANALYSIS_COMMANDS.filter((c) => c.name !== "stats");
