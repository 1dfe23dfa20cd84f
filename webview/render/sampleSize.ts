/** `samplesize`: the units an experiment needs, as a sentence and a small table. Pure. */
import type { SampleSizeResult } from "../../src/core/results/report";
import { count, decimal, percent, points } from "./format";
import type { Block } from "./model";
import type { KindView } from "./kinds";

export function sampleSizeSentence(doc: SampleSizeResult): string {
  return (
    `${count(doc.perArm)} units per arm (${count(doc.total)} in all) to detect ${percent(doc.p1)} -> ${percent(doc.p2)} ` +
    `(${points(doc.p2 - doc.p1)}, ${percent(doc.p2 / doc.p1 - 1, 1, true)} relative) with power ${percent(doc.power, 0)} at alpha ${decimal(doc.alpha)}, two-sided.`
  );
}

export function buildSampleSizeView(doc: SampleSizeResult): KindView {
  const blocks: Block[] = [
    { type: "text", text: sampleSizeSentence(doc) },
    {
      type: "table",
      id: "samplesize",
      columns: [{ label: "" }, { label: "value", align: "right" }],
      rows: [
        { cells: ["baseline rate", percent(doc.p1, 2)] },
        { cells: ["rate to detect", percent(doc.p2, 2)] },
        { cells: ["power", percent(doc.power, 0)] },
        { cells: ["alpha (two-sided)", decimal(doc.alpha)] },
        { cells: ["units per arm", count(doc.perArm)] },
        { cells: ["units in all", count(doc.total)] },
      ],
    },
  ];
  return { status: { label: `${count(doc.perArm)} per arm`, tone: "info" }, blocks };
}
