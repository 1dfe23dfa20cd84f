/**
 * Where code names a model version, for the editor's code lenses and hovers: the patterns of
 * prodinsights.yaml (the version is the first group), and three that are always recognised:
 * MLflow's `models:/NAME/3` and `models:/NAME@alias`, and an assignment such as
 * `MODEL_VERSION = "v3"` (Python, TypeScript, JavaScript, YAML). Pure text scanning; the editor
 * host turns each reference into a lens.
 */

export interface VersionRef {
  /** 0-based line, and the version's columns on it (end exclusive). */
  readonly line: number;
  readonly start: number;
  readonly end: number;
  /** The model, when the text or the pattern says which; else the only model of the workspace. */
  readonly model?: string;
  /** As written: "v3", "3", or "@champion" for an MLflow alias. */
  readonly version: string;
  readonly source: "config" | "mlflow" | "assignment";
}

export interface ModelPatterns {
  readonly name: string;
  /** Regular expressions whose first group is the version. */
  readonly patterns: readonly string[];
}

const MLFLOW = /models:\/([A-Za-z0-9_.-]+)(?:\/(\d+)|(@[A-Za-z0-9_.-]+))/g;
/** `MODEL_VERSION = "v3"`, `model_version: 'v3'`, `modelVersion = "v3"`, `const MODEL_VERSION = "v3"`. */
const ASSIGNMENT = /\b(?:[A-Z_]*MODEL_VERSION|model_version|modelVersion)\b\s*(?::\s*[A-Za-z]+\s*)?[=:]\s*(["'])([^"'\n]{1,64})\1/g;
/** Lines longer than this are not scanned: minified code has no lenses worth showing. */
const MAX_LINE = 2000;

/** Compiles each model's patterns once; a pattern that does not compile is left out. */
function compile(models: readonly ModelPatterns[]): Array<{ model: string; re: RegExp }> {
  const out: Array<{ model: string; re: RegExp }> = [];
  for (const m of models) {
    for (const p of m.patterns) {
      try {
        out.push({ model: m.name, re: new RegExp(p, "g") });
      } catch {
        // prodinsights.yaml's checks report it; here it simply finds nothing.
      }
    }
  }
  return out;
}

/** Every version reference in `text`, in order, at most one per place. */
export function findVersionRefs(text: string, models: readonly ModelPatterns[]): VersionRef[] {
  const compiled = compile(models);
  const only = models.length === 1 ? models[0]!.name : undefined;
  const refs: VersionRef[] = [];
  text.split(/\r?\n/).forEach((lineText, line) => {
    if (lineText.length > MAX_LINE) return;
    const taken = new Set<number>();
    const add = (ref: VersionRef): void => {
      if (taken.has(ref.start)) return;
      taken.add(ref.start);
      refs.push(ref);
    };
    for (const { model, re } of compiled) {
      re.lastIndex = 0;
      for (let m = re.exec(lineText); m; m = re.exec(lineText)) {
        if (m[0] === "") {
          re.lastIndex++;
          continue;
        }
        const version = m[1];
        if (version === undefined || version === "") continue;
        const start = m.index + m[0].indexOf(version);
        add({ line, start, end: start + version.length, model, version, source: "config" });
      }
    }
    MLFLOW.lastIndex = 0;
    for (let m = MLFLOW.exec(lineText); m; m = MLFLOW.exec(lineText)) {
      const version = m[2] ?? m[3]!;
      const start = m.index + m[0].length - version.length;
      add({ line, start, end: start + version.length, model: m[1]!, version, source: "mlflow" });
    }
    ASSIGNMENT.lastIndex = 0;
    for (let m = ASSIGNMENT.exec(lineText); m; m = ASSIGNMENT.exec(lineText)) {
      const version = m[2]!;
      const start = m.index + m[0].length - 1 - version.length;
      add({ line, start, end: start + version.length, ...(only !== undefined ? { model: only } : {}), version, source: "assignment" });
    }
  });
  return refs.sort((a, b) => a.line - b.line || a.start - b.start);
}
