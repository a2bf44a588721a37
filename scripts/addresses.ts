/**
 * npm run addresses [-- --write]: the Terraform address of every resource and module each shipped
 * deployment file and example synthesizes. Addresses are API (renaming one replaces real
 * resources), so __tests__/fixtures/addresses.json records them and a test compares. Write the
 * record again only for an intended change, with `moved` blocks for anything renamed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../src/app";
import { loadDeployment } from "../src/config/load";

export const ADDRESSES_FILE = join(__dirname, "..", "__tests__", "fixtures", "addresses.json");

/** Shipped deployment files and examples, relative to the repository. */
export function deploymentFiles(root = join(__dirname, "..")): string[] {
  const yaml = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith(".yaml")).sort().map((f) => `${dir}/${f}`);
  return [...yaml("config"), ...yaml("config/examples")];
}

/** `resource.type.name` and `module.name` addresses of a synthesized stack, sorted. */
export function addressesOf(stack: { resource?: Record<string, Record<string, unknown>>; module?: Record<string, unknown> }): string[] {
  const resources = Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
  const modules = Object.keys(stack.module ?? {}).map((name) => `module.${name}`);
  return [...resources, ...modules].sort();
}

export function synthAddresses(file: string): string[] {
  const config = loadDeployment(file);
  const out = mkdtempSync(join(tmpdir(), "dandihub-addresses-"));
  try {
    buildApp([config], out).synth();
    return addressesOf(JSON.parse(readFileSync(join(out, "stacks", config.name, "cdk.tf.json"), "utf8")));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const record = Object.fromEntries(deploymentFiles().map((f) => [f, synthAddresses(f)]));
  if (process.argv.includes("--write")) {
    writeFileSync(ADDRESSES_FILE, `${JSON.stringify(record, null, 1)}\n`);
    process.stdout.write(`wrote ${ADDRESSES_FILE}\n`);
  } else process.stdout.write(`${JSON.stringify(record, null, 1)}\n`);
}
