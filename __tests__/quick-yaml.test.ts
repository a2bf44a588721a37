/**
 * The quick reader (src/config/quick-yaml.ts) against yaml, the parser whose reading it stands
 * in for: on every file the project ships or tests with, on the scale file, and on generated
 * documents. Wherever it reads a file, the data must be yaml's exactly (and yaml must find no
 * error); wherever the two could differ, it must decline.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadDeployment } from "../src/config/load";
import { quickYaml } from "../src/config/quick-yaml";
import { deploymentFiles } from "../scripts/addresses";
import { scaleDeployment } from "../scripts/scale-config";
import { problemsOf, ROOT } from "./helpers";

/** What the loader's yaml path reads: its data, or "error" when yaml reports one. */
function yamlReads(source: string): unknown {
  const doc = parseDocument(source, { uniqueKeys: false, merge: false, prettyErrors: false });
  return doc.errors.length ? "error" : doc.toJS({ maxAliasCount: 100 });
}

/** Same data as yaml, or declined: never anything else. */
function agreement(source: string): "read" | "declined" {
  const quick = quickYaml(source);
  if (quick === undefined) return "declined";
  // node's comparison (prototypes, own properties, -0): vitest's reads a "constructor" key as the type.
  const yaml = yamlReads(source);
  if (!isDeepStrictEqual(quick, yaml)) expect({ source, quick }).toStrictEqual({ source, quick: yaml });
  return "read";
}

const badInputs = () =>
  readdirSync(join(ROOT, "__tests__/bad-input"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join("__tests__/bad-input", f));

/** mulberry32: a small seeded generator, so every run checks the same documents. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deployment-shaped documents: nested block mappings and sequences holding every scalar style
 * (plain, quoted with escapes, block scalars with each header), flow collections, comments at
 * every indent, and text made of YAML's indicator characters.
 */
function documents(seed: number, count: number): string[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chars = ["a", "b", " ", "  ", ":", "#", "-", "?", ",", "[", "]", "{", "}", "'", '"', "\\", "\\n", "\\x41", "\\u00e9", "\\t", "\t", "é", "…", "|", ">", "&", "*", "!", "%", "@", "`", "1", ".", "e", "0x", "~", "\n", "\r\n"];
  const text = (n: number) => Array.from({ length: n }, () => pick(chars)).join("");
  const pad = (n: number) => " ".repeat(n);
  const plain = ["1", "-2", "0o17", "0x1f", "1.5", ".5", "1e3", "1e400", "~", "null", "true", "False", "yes", ".inf", "-.nan", "", "1_0", "+0", "-0", "2025-06-02", "12:30", "a b", "a: b", "a #b", "a#b", "-a", "?a", ":a", "a:", "é", "<<"];
  const keys = ["a", "b", "c", "k1", "'q'", '"dq"', "1", "true", "a b", "a-b", "? x", "x y z", "é", "a.b", "a/b", "<<", "__proto__"];
  const scalar = (depth: number, indent: number): string => {
    switch (Math.floor(rnd() * 9)) {
      case 0:
        return pick(plain);
      case 1:
        return `'${text(Math.floor(rnd() * 6)).replace(/'/g, pick(["''", "'"]))}'`;
      case 2:
        return `"${text(Math.floor(rnd() * 6))}"`;
      case 3: {
        const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(["", " ", "  "]) + pad(indent + pick([0, 1, 2, 2, 2])) + text(Math.floor(rnd() * 4)));
        return `${pick(["|", ">", "|-", ">-", "|+", ">+", "|1", ">2", "|-1", "|2+"])}${pick(["", " #c", " "])}\n${lines.join("\n")}`;
      }
      case 4:
        return text(1 + Math.floor(rnd() * 4)).replace(/\n/g, `\n${pad(indent + 1)}`);
      case 5:
        return `[${Array.from({ length: Math.floor(rnd() * 3) }, () => pick(["a", "1", "'x'", '"y"', "{a: 1}", "[b]", "a b", "", " "])).join(pick([", ", ",", " ,"]))}${pick(["]", ",]"])}`;
      case 6:
        return `{${Array.from({ length: Math.floor(rnd() * 3) }, () => pick(["a: 1", "b:2", "c", "'d': e", '"f": [1]', "g: {h: i}", "? j"])).join(pick([", ", ","]))}${pick(["}", ",}"])}`;
      case 7:
        return depth < 3 ? `\n${mapping(depth + 1, indent + pick([1, 2, 2, 4]))}` : "x";
      default:
        return depth < 3 ? `\n${sequence(depth + 1, indent + pick([0, 2, 2]))}` : "y";
    }
  };
  const mapping = (depth: number, indent: number): string =>
    Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => `${pad(indent)}${pick(keys)}:${pick([" ", " ", "  "])}${scalar(depth, indent)}${pick(["", "", " # c", "  #c"])}`).join(
      pick(["\n", "\n", "\n\n", "\n# c\n", "\n#x\n", `\n${pad(Math.max(0, indent - 1))}#y\n`, `\n${pad(indent + 3)}# z\n`]),
    );
  const sequence = (depth: number, indent: number): string =>
    Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => `${pad(indent)}-${pick([" ", " ", "  "])}${scalar(depth, indent + 2)}`).join("\n");
  return Array.from({ length: count }, () => mapping(0, 0) + pick(["\n", "", "\n\n"]));
}

/** Strings of YAML's tokens in any order: mostly broken YAML, where yaml's errors must win. */
function tokenSoup(seed: number, count: number): string[] {
  const rnd = random(seed);
  const tokens = ["a", "b", "key", ":", ": ", " ", "  ", "\n", "\n  ", "\n    ", "- ", "-", "[", "]", "{", "}", ",", ", ", "#", " #c", "'", '"', "|", ">", "|-", ">+", "?", "? ", "1", "0x1", ".5", "~", "null", "true", "\\", "\\n", "\t", "x y", "é", "%", "@", "`", "---", "...", "\r\n", "''", '""', "=", "*", "&"];
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(rnd() * 14) }, () => tokens[Math.floor(rnd() * tokens.length)]).join(""));
}

describe("the quick YAML reader", () => {
  it("reads every shipped and test deployment file as yaml does", () => {
    const files = [...deploymentFiles(), ...badInputs()];
    const outcomes = files.map((f) => [f, agreement(readFileSync(join(ROOT, f), "utf8"))] as const);
    // The shipped files take the quick path (their speed is the point); test inputs may not.
    for (const [file, outcome] of outcomes) if (file.startsWith("config")) expect(outcome, file).toBe("read");
    expect(outcomes.filter(([, o]) => o === "read").length).toBeGreaterThan(files.length / 2);
  });

  it("reads the 500-group file as yaml does", () => {
    expect(agreement(scaleDeployment(500, 30))).toBe("read");
  });

  it("agrees with yaml or declines on generated deployment-shaped documents", () => {
    const outcomes = [1, 2, 3].flatMap((seed) => documents(seed, 600)).map(agreement);
    // The generator must exercise the quick path, not only its refusals.
    expect(outcomes.filter((o) => o === "read").length).toBeGreaterThan(450);
  });

  it("never accepts what yaml refuses, on token soup", () => {
    const outcomes = tokenSoup(4, 6000).map(agreement);
    expect(outcomes.filter((o) => o === "read").length).toBeGreaterThan(60);
  });

  it("types plain scalars by yaml's core schema, including where js-yaml's own differs", () => {
    const scalars = ["0o17", "0x1F", "+12", "-0", ".5", "1.", "1e3", "1e400", "-1e400", "123456789012345678901234567890", "1_000", "0b101", "010", ".inf", "-.Inf", ".NaN", "yes", "on", "True", "FALSE", "~", "Null", "nULL", "0x", "0o8", "-.5e-3", "+.5E+3", "5e", ".e3"];
    for (const s of scalars) expect(agreement(`v: ${s}\n`), s).toBe("read");
    expect(quickYaml("a: 1e400\nb: -0\nc: 0o17\nd: 1_000\n")).toStrictEqual({ a: Infinity, b: -0, c: 15, d: "1_000" });
    // Generated: every short string of number-ish characters, as a value and as a key.
    const rnd = random(5);
    const alphabet = ["0", "1", "7", "9", ".", "-", "+", "e", "E", "x", "o", "_", "a", "f", "inf", "nan", "Inf", "NaN", "null", "true", "~", "b"];
    for (let i = 0; i < 1500; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
      agreement(`v: ${s}\n${s}: k\n`);
    }
  });

  it.each([
    ["an anchor and an alias", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["a local tag", "a: !secret x\n"],
    ["a %YAML directive (yaml switches to 1.1 there)", "%YAML 1.1\n---\na: yes\n"],
    ["a second document", "a: 1\n---\nb: 2\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["a tab", "a: 1\t# c\n"],
    ["an explicit block indentation", "a: |2\n   x\n"],
    ["a line of spaces", "a: |\n  x\n   \nb: 1\n"],
    ["a null key", "~: 1\n"],
    ["a collection key", "[a]: b\n"],
    ["a duplicate key (as a number and as text)", '1: a\n"1": b\n'],
    ["a syntax error", "a: b: c\n"],
    ["no document", "# only a comment\n"],
    ["a root that is not a mapping", "- a\n"],
  ])("leaves %s to yaml", (_what, source) => {
    expect(quickYaml(source)).toBeUndefined();
  });

  it("loads a file the same through either reader", () => {
    const source = readFileSync(join(ROOT, "config/dandi.yaml"), "utf8");
    // A tab in a comment sends the same file through yaml.
    expect(loadDeployment("config/dandi.yaml", source)).toStrictEqual(loadDeployment("config/dandi.yaml", `${source}#\tyaml path\n`));
  });

  it("reports a problem in a file it read from yaml's positions", () => {
    const source = readFileSync(join(ROOT, "config/minimal.yaml"), "utf8");
    expect(quickYaml(source)).toBeDefined();
    const [problem] = problemsOf(`${source}colour: blue\n`).problems;
    expect(problem).toMatchObject({ path: ["colour"], line: source.split("\n").length, column: 1 });
  });
});
