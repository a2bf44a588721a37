/**
 * Every input we pass to an upstream module is a variable of that exact module release, with
 * the right shape, and every required variable is passed. Reads ../shared/upstream/modules.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { MODULES } from "../modules/versions";
import { parseHclType, typeProblems } from "./hcl-type";
import { describeShared, readShared, SHARED, VARIANTS } from "./helpers";

interface ModuleVariables {
  module: string;
  source_repo: string;
  path: string;
  tag: string;
  variables: { name: string; type: string; required: boolean }[];
}

const META_ARGUMENTS = new Set(["//", "source", "version", "providers", "depends_on", "count", "for_each"]);

/** Registry `ns/name/provider[//sub]` at `version` -> repository, path, tag as the data files name them. */
function registryToRepo(source: string, version: string): { repo: string; path: string; tag: string } {
  const [main, sub] = source.split("//");
  const [ns, name, provider] = main.split("/");
  return { repo: `${ns}/terraform-${provider}-${name}`, path: sub ?? ".", tag: `v${version}` };
}

describeShared("module inputs match the pinned upstream variables.tf", () => {
  const files = (): ModuleVariables[] =>
    readdirSync(join(SHARED, "upstream/modules"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => readShared<ModuleVariables>(`upstream/modules/${f}`));

  const find = (source: string, version: string): ModuleVariables | undefined => {
    const want = registryToRepo(source, version);
    return files().find((f) => f.source_repo === want.repo && f.path === want.path && f.tag === want.tag);
  };

  it("every pinned module has its variables in the shared data", () => {
    for (const pin of Object.values(MODULES)) expect(find(pin.source, pin.version), `${pin.source}@${pin.version}`).toBeDefined();
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: names, nested shapes and required inputs`, () => {
      const problems: string[] = [];
      for (const [address, block] of Object.entries(get().tf.module)) {
        const upstream = find(block.source as string, block.version as string);
        if (!upstream) {
          problems.push(`module.${address}: no upstream data for ${block.source}@${block.version}`);
          continue;
        }
        const byName = new Map(upstream.variables.map((v) => [v.name, v]));
        for (const [input, value] of Object.entries(block)) {
          if (META_ARGUMENTS.has(input)) continue;
          const variable = byName.get(input);
          if (!variable) {
            problems.push(`module.${address}: "${input}" is not a variable of ${upstream.module}@${upstream.tag}`);
            continue;
          }
          problems.push(...typeProblems(parseHclType(variable.type), value, `module.${address}.${input}`));
        }
        for (const v of upstream.variables) {
          if (v.required && !(v.name in block)) problems.push(`module.${address}: required variable "${v.name}" not passed`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("the type reader understands every variable type of every stored module", () => {
    for (const f of files()) for (const v of f.variables) expect(() => parseHclType(v.type), `${f.module}@${f.tag} ${v.name}`).not.toThrow();
  });

  it("the checker catches a misspelt nested key and a wrong type (it can fail)", () => {
    const eks = find(MODULES.eks.source, MODULES.eks.version)!;
    const groups = parseHclType(eks.variables.find((v) => v.name === "eks_managed_node_groups")!.type);
    expect(typeProblems(groups, { core: { instance_type: ["t3.large"] } }, "x")).toEqual([
      expect.stringContaining("x.core.instance_type: not an attribute of the type"),
    ]);
    expect(typeProblems(groups, { core: { min_size: "two" } }, "x")).toEqual(["x.core.min_size: expected number, got \"two\""]);
  });
});
