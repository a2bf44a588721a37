/** main.ts as an operator runs it: clear errors, exit codes, and all-or-nothing output. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { deploymentFiles, synthesize } from "../src/app";
import { minimalYaml, ROOT, TS_NODE_ARGS } from "./helpers";

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [...TS_NODE_ARGS, "main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * What main.ts does, called in this process: for the file handling behind it (all or nothing,
 * stale stacks), where a fresh process per synth would only add its start-up. What only a
 * process shows (exit code, no stack trace, PATH) is run above.
 */
function synthHere(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const capture = (into: (text: string) => void) => (chunk: string | Uint8Array) => (into(String(chunk)), true);
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture((t) => (stdout += t)));
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture((t) => (stderr += t)));
  try {
    return { code: synthesize(args, { ...process.env, ...env }), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("main.ts", () => {
  it("a bad file: every problem with file:line, exit 1, no stack trace, no output written", () => {
    const dir = mkdtempSync(join(tmpdir(), "dandihub-cli-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, minimalYaml().replace("guarantee: 2Gi", "guarantee: 2GB").replace("region: us-east-1", "regoin: us-east-1"));
    const out = join(dir, "cdktf.out");
    const r = run([bad], { CDKTF_OUTDIR: out });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: 3 problem(s); nothing was synthesized.`);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+  aws\\.regoin = "us-east-1": unknown key \\(did you mean "region"\\?\\)`));
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+  profiles\\.small\\.memory\\.guarantee = "2GB": expected a size`));
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(["bad.yaml"]); // no scratch directory left behind
  });

  it("one bad file among good ones: nothing is synthesized at all, and old output stays", () => {
    const dir = mkdtempSync(join(tmpdir(), "dandihub-cli-"));
    const out = join(dir, "cdktf.out");
    expect(synthHere(["config/minimal.yaml"], { CDKTF_OUTDIR: out }).code).toBe(0);
    const before = readFileSync(join(out, "stacks/minimal/cdk.tf.json"), "utf8");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: [unclosed\n");
    const r = synthHere(["config/minimal.yaml", bad], { CDKTF_OUTDIR: out });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("YAML syntax");
    expect(readFileSync(join(out, "stacks/minimal/cdk.tf.json"), "utf8")).toBe(before);
  });

  it("re-synthesizing keeps what Terraform stores beside the JSON (lock file, .terraform, state)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dandihub-cli-")), "cdktf.out");
    expect(synthHere(["config/minimal.yaml"], { CDKTF_OUTDIR: out }).code).toBe(0);
    const stack = join(out, "stacks/minimal");
    writeFileSync(join(stack, ".terraform.lock.hcl"), "# provider hashes\n");
    mkdirSync(join(stack, ".terraform"));
    writeFileSync(join(stack, "assets", "stale-file"), "old");
    expect(synthHere(["config/minimal.yaml"], { CDKTF_OUTDIR: out }).code).toBe(0);
    expect(readFileSync(join(stack, ".terraform.lock.hcl"), "utf8")).toBe("# provider hashes\n");
    expect(existsSync(join(stack, ".terraform"))).toBe(true);
    expect(existsSync(join(stack, "assets", "stale-file"))).toBe(false);
  });

  it("good files: one stack each, named after the deployment; no Terraform binary needed", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dandihub-cli-")), "cdktf.out");
    // A PATH with nothing on it: synth hands JSON to whoever runs Terraform later.
    const r = run([], { CDKTF_OUTDIR: out, PATH: mkdtempSync(join(tmpdir(), "dandihub-empty-path-")) });
    expect(r.stderr).not.toMatch(/terraform|failed/i);
    expect(r.code).toBe(0);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["dandi", "minimal"]);
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).stacks).toHaveProperty("dandi");
  });
});

describe("the pinned cdktf CLI", () => {
  it("npm run cdktf -- synth works offline, with no version check, through main.ts", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dandihub-cdktf-")), "cdktf.out");
    const r = spawnSync("npm", ["run", "-s", "cdktf", "--", "synth", "--output", out], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Generated Terraform code for the stacks: dandi, minimal");
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/checkpoint|ENOTFOUND|ECONNREFUSED/i);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["dandi", "minimal"]);
  });
});

describe("stale stacks", () => {
  it("a full synth removes stacks no file makes any more, but never one holding Terraform state", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dandihub-cli-")), "cdktf.out");
    for (const [name, files] of [["gone", ["cdk.tf.json"]], ["gone-with-state", ["cdk.tf.json", "terraform.tfstate"]]] as const) {
      mkdirSync(join(out, "stacks", name), { recursive: true });
      for (const f of files) writeFileSync(join(out, "stacks", name, f), "{}");
    }
    const r = synthHere([], { CDKTF_OUTDIR: out });
    expect(r.code).toBe(0);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["dandi", "gone-with-state", "minimal"]);
    expect(r.stderr).toContain("stacks/gone-with-state: no deployment file makes this stack any more, but it holds terraform.tfstate; left as it is");
    // Synthesizing one file leaves the others alone.
    expect(synthHere(["config/minimal.yaml"], { CDKTF_OUTDIR: out }).code).toBe(0);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["dandi", "gone-with-state", "minimal"]);
  });
});

describe("which files", () => {
  it("command line, then DANDIHUB_CONFIG, then every config/*.yaml", () => {
    expect(deploymentFiles(["config/a.yaml"], { DANDIHUB_CONFIG: "config/b.yaml" })).toEqual(["config/a.yaml"]);
    expect(deploymentFiles([], { DANDIHUB_CONFIG: "config/b.yaml, config/c.yaml" })).toEqual(["config/b.yaml", "config/c.yaml"]);
    expect(deploymentFiles([], {}, ROOT)).toEqual(["config/dandi.yaml", "config/minimal.yaml"]);
  });
});

describe("one stack while another file is broken", () => {
  it("DANDIHUB_CONFIG names the file the cdktf CLI deploys; the broken one is not read", () => {
    const dir = mkdtempSync(join(tmpdir(), "dandihub-one-"));
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "config", "good.yaml"), minimalYaml({ name: "name: good" }));
    writeFileSync(join(dir, "config", "broken.yaml"), "name: [oops\n");
    expect(deploymentFiles([], { DANDIHUB_CONFIG: "config/good.yaml" }, dir)).toEqual(["config/good.yaml"]);
    expect(deploymentFiles([], {}, dir)).toEqual(["config/broken.yaml", "config/good.yaml"]);
  });
});
