/**
 * The import graph of src/ and modules/: no cycle, and no pure module (one that creates no
 * constructs) imports a construct module. Construct modules are those that import the
 * `constructs` package or a provider binding, or build the CDKTF app (`new App(`, `extends App`); type-only
 * imports count too.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers";

const SOURCES = ["src", "modules"].map((d) => join(ROOT, d));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Import specifiers of a module (static import/export ... from, and import("...")). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/g)) out.push(m[1]);
  for (const m of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]);
  return out;
}

interface Module {
  readonly path: string;
  readonly imports: readonly string[];
  readonly construct: boolean;
}

function graph(): Map<string, Module> {
  const all = SOURCES.flatMap(files);
  const known = new Set(all);
  const modules = new Map<string, Module>();
  for (const path of all) {
    const specs = specifiers(readFileSync(path, "utf8"));
    const imports = specs
      .filter((s) => s.startsWith("."))
      .map((s) => resolve(dirname(path), s) + ".ts")
      .filter((p) => known.has(p));
    const construct = specs.some((s) => s === "constructs" || s.startsWith("@cdktf/provider-")) || /\bnew App\(|\bextends App\b/.test(readFileSync(path, "utf8"));
    modules.set(path, { path, imports, construct });
  }
  return modules;
}

/** Every cycle's modules (strongly connected components of more than one module, or a self-import). */
export function cycles(modules: Map<string, Module>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of modules.get(v)!.imports) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || modules.get(v)!.imports.includes(v)) out.push(scc.map((p) => relative(ROOT, p)).sort());
    }
  };
  for (const v of modules.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("the import graph", () => {
  const modules = graph();

  it("has no cycle", () => {
    expect(modules.size).toBeGreaterThan(50);
    expect(cycles(modules)).toEqual([]);
  });

  it("no pure module imports a construct module", () => {
    const wrong = [...modules.values()].filter((m) => !m.construct).flatMap((m) => m.imports.filter((i) => modules.get(i)!.construct).map((i) => `${relative(ROOT, m.path)} -> ${relative(ROOT, i)}`));
    expect(wrong).toEqual([]);
  });

  it("every concern lives in its folder: no construct under src/config, src/core holds only shared pieces", () => {
    const rel = (m: Module) => relative(ROOT, m.path);
    expect([...modules.values()].filter((m) => m.construct && rel(m).startsWith("src/config/")).map(rel)).toEqual([]);
    const features = readdirSync(join(ROOT, "src", "features")).sort();
    expect(features).toEqual(["auth", "capacity", "cost", "hub", "images", "isolation", "monitoring", "platform", "policy", "services", "storage"]);
    // isolation has no section of its own: it is decided from the other features' settings.
    for (const f of features.filter((x) => x !== "isolation")) expect(readdirSync(join(ROOT, "src", "features", f)), f).toContain("schema.ts");
  });

  it("the checks can fail (this test can fail)", () => {
    const a = join(ROOT, "a.ts");
    const b = join(ROOT, "b.ts");
    const fake = new Map<string, Module>([
      [a, { path: a, imports: [b], construct: false }],
      [b, { path: b, imports: [a], construct: true }],
    ]);
    expect(cycles(fake)).toEqual([["a.ts", "b.ts"]]);
    expect(specifiers('import type { X } from "./x";\nexport { Y } from "../y";\nconst z = await import("./z");')).toEqual(["./x", "../y", "./z"]);
  });
});
