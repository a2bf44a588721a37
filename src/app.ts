/**
 * The app behind main.ts: choose deployment files, validate them all, then synthesize into a
 * scratch directory that replaces cdktf.out only when every stack synthesized.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { App, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack } from "./core/cdktf";
import { ConfigError } from "./config/errors";
import { loadDeployment } from "./config/load";
import type { HubConfig } from "./config/resolve";
import { HubStack } from "./stack";
import { checkPolicy, formatPolicy } from "./features/policy/run";

export { loadDeployment };

export const CONFIG_DIR = "config";

/** Files named on the command line, else in DANDIHUB_CONFIG (comma-separated), else config/*.yaml. */
export function deploymentFiles(args: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): string[] {
  const named = args.filter((a) => !a.startsWith("-"));
  if (named.length) return named;
  const fromEnv = env.DANDIHUB_CONFIG?.split(",").map((s) => s.trim()).filter(Boolean);
  if (fromEnv?.length) return fromEnv;
  const dir = join(cwd, CONFIG_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && !f.startsWith("_"))
    .sort()
    .map((f) => join(CONFIG_DIR, f));
}

/** Loads every file; returns the configs or the formatted problems of all files. */
export function loadAll(files: readonly string[]): { configs: HubConfig[] } | { errors: string } {
  const configs: HubConfig[] = [];
  const errors: string[] = [];
  for (const file of files) {
    try {
      configs.push(loadDeployment(file));
    } catch (err) {
      if (err instanceof ConfigError) errors.push(err.format());
      else throw err;
    }
  }
  const seen = new Map<string, string>();
  configs.forEach((c, i) => {
    const other = seen.get(c.name);
    if (other) errors.push(`${files[i]}:1:1  name = "${c.name}": ${other} already uses this name; every deployment needs its own`);
    seen.set(c.name, files[i]);
  });
  return errors.length ? { errors: errors.join("\n\n") } : { configs };
}

/**
 * CDKTF's validations run `terraform version` once per terraform_data resource and moved block:
 * synth then needs a Terraform binary (it should not: the JSON's required_version is checked by
 * the Terraform that runs it) and spends half its time in child processes. So they are skipped,
 * and the one check that matters, a provider construct for every provider a resource uses, is
 * done here before anything is written.
 */
class HubApp extends App {
  override synth(): void {
    const missing = this.node
      .findAll()
      .filter(TerraformStack.isStack)
      .flatMap((stack) => missingProviders(stack).map((p) => `stack ${stack.node.id}: resources use provider "${p}" but no provider construct declares it`));
    if (missing.length) throw new Error(missing.join("\n"));
    super.synth();
  }
}

function missingProviders(stack: TerraformStack): string[] {
  const used = new Set<string>();
  const declared = new Set<string>();
  for (const c of stack.node.findAll()) {
    if (TerraformResource.isTerraformResource(c) || TerraformDataSource.isTerraformDataSource(c)) {
      const name = c.terraformGeneratorMetadata?.providerName;
      if (name && name !== "terraform") used.add(name);
    }
    if (TerraformProvider.isTerraformProvider(c)) {
      const name = c.terraformGeneratorMetadata?.providerName;
      if (name) declared.add(name);
    }
  }
  return [...used].filter((n) => !declared.has(n)).sort();
}

/** Builds the stacks of `configs` into `outdir`. */
export function buildApp(configs: readonly HubConfig[], outdir: string): App {
  const app = new HubApp({ outdir, skipValidation: true });
  for (const config of configs) new HubStack(app, config);
  return app;
}

/** main.ts: returns the process exit code. */
export function synthesize(args: readonly string[], env: NodeJS.ProcessEnv): number {
  let files: string[];
  try {
    files = deploymentFiles(args, env);
  } catch (err) {
    process.stderr.write(`no deployment files: ${(err as Error).message}\n`);
    return 1;
  }
  const loaded = loadAll(files);
  if ("errors" in loaded) {
    process.stderr.write(`${loaded.errors}\n`);
    return 1;
  }
  const outdir = resolve(env.CDKTF_OUTDIR ?? "cdktf.out");
  const scratch = join(dirname(outdir), `.${basename(outdir)}.partial-${process.pid}`);
  try {
    buildApp(loaded.configs, scratch).synth();
    const policy = loaded.configs.map((c) => formatPolicy(c, checkPolicy(c, readFileSync(join(scratch, "stacks", c.name, "cdk.tf.json"), "utf8")), c.file ? readFileSync(c.file, "utf8") : undefined));
    for (const p of policy) if (p.notes) process.stderr.write(`${p.notes}\n`);
    const errors = policy.filter((p) => p.errors).map((p) => p.errors);
    if (errors.length) {
      process.stderr.write(`${errors.join("\n\n")}\n`);
      return 1;
    }
    publish(scratch, outdir);
    // With every deployment file synthesized, a stack directory no file produced is stale.
    const everyFile = !args.some((a) => !a.startsWith("-")) && !env.DANDIHUB_CONFIG;
    if (everyFile) for (const note of pruneStale(outdir, new Set(loaded.configs.map((c) => c.name)))) process.stderr.write(`${note}\n`);
  } catch (err) {
    const detail = env.DANDIHUB_DEBUG ? (err as Error).stack : (err as Error).message;
    process.stderr.write(`synth failed, cdktf.out left as it was: ${detail}\n(set DANDIHUB_DEBUG=1 for the stack trace)\n`);
    return 2;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const c of loaded.configs) process.stdout.write(`synthesized ${c.name} -> ${join(outdir, "stacks", c.name, "cdk.tf.json")}\n`);
  return 0;
}

/** What Terraform keeps in a stack directory: a directory holding any of these is never deleted. */
const TERRAFORM_OWN = /^(terraform\.tfstate.*|\.terraform|\.terraform\.lock\.hcl)$/;

/**
 * Removes stack directories whose deployment file is gone, unless Terraform keeps something
 * there (local state, a provider lock): those are left, with a note saying so.
 */
function pruneStale(outdir: string, current: ReadonlySet<string>): string[] {
  const stacks = join(outdir, "stacks");
  const notes: string[] = [];
  for (const name of readdirSync(stacks)) {
    if (current.has(name)) continue;
    const dir = join(stacks, name);
    const kept = readdirSync(dir).filter((f) => TERRAFORM_OWN.test(f));
    if (kept.length) notes.push(`${join("cdktf.out", "stacks", name)}: no deployment file makes this stack any more, but it holds ${kept.join(", ")}; left as it is (delete it once that state is destroyed or moved)`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return notes;
}

/**
 * Moves a complete synth from `scratch` into `outdir`, one rename per generated item. What
 * Terraform keeps beside the JSON in a stack directory (.terraform/, .terraform.lock.hcl, local
 * state) is left alone, so re-synthesizing never costs a provider lock or state.
 */
function publish(scratch: string, outdir: string): void {
  for (const stack of readdirSync(join(scratch, "stacks"))) {
    const from = join(scratch, "stacks", stack);
    const to = join(outdir, "stacks", stack);
    mkdirSync(to, { recursive: true });
    for (const item of readdirSync(from)) {
      rmSync(join(to, item), { recursive: true, force: true });
      renameSync(join(from, item), join(to, item));
    }
  }
  renameSync(join(scratch, "manifest.json"), join(outdir, "manifest.json"));
}
