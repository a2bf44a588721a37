/** Problems in a deployment file, reported as `file:line:col  path = value: what is allowed`. */

export type ConfigPath = readonly (string | number)[];

/** A problem found by the schema or a cross-field check, before it is placed in the file. */
export interface ConfigProblem {
  readonly path: ConfigPath;
  /** What is wrong and what is allowed, as one sentence. */
  readonly message: string;
  /** Point at the key itself (unknown or misspelt keys) rather than its value. */
  readonly atKey?: boolean;
  /** The value may be a secret written where a reference belongs: never print it. */
  readonly secret?: boolean;
}

export interface LocatedProblem extends ConfigProblem {
  readonly line: number;
  readonly column: number;
  /** The offending value as written, or undefined when the field is missing. */
  readonly value: unknown;
}

/** `profiles.base.cpu`, `aws.tags["dandihub:x"]`, `cluster.admins[2]`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || "(top level)";
}

export function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (value === null) return "(empty)";
  if (typeof value === "object") return Array.isArray(value) ? `[list of ${value.length}]` : "{...}";
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  const text = JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 67)}..."` : text;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly LocatedProblem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
    this.name = "ConfigError";
  }

  /** One line per problem, in file order, ready for a terminal. */
  format(): string {
    const lines = this.problems.map((p) => {
      const where = `${this.file}:${p.line}:${p.column}`;
      if (!p.path.length) return `${where}  ${p.message}`;
      const value = p.secret && p.value !== undefined && typeof p.value !== "object" ? "(not shown: it may be a secret)" : formatValue(p.value);
      return `${where}  ${formatPath(p.path)} = ${value}: ${p.message}`;
    });
    return [`${this.file}: ${this.problems.length} problem(s); nothing was synthesized.`, ...lines].join("\n");
  }
}
