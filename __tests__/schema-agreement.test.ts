/**
 * The editor's schema (schema/deployment.schema.json) refuses what the loader refuses, as far as
 * JSON Schema can say it: every broken file in bad-input/ is refused by both, except the checks
 * listed here, each with why JSON Schema cannot express it. The shipped files pass both.
 */
import Ajv from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { deploymentJsonSchema } from "../src/config/schema";
import { deploymentFiles } from "../scripts/addresses";
import { ROOT } from "./helpers";

/** Files only the loader refuses, and why the schema cannot. */
const LOADER_ONLY: Record<string, string> = {
  "backup-cron-both-days.yaml": "cron field rules (exactly one day field is ?) are checked in code",
  "backup-cron-hour.yaml": "cron field ranges are checked in code (a pattern per range would be unreadable)",
  "cron-minute-out-of-range.yaml": "cron field ranges are checked in code",
  "group-registries-without-own.yaml": "a rule between two fields of a group (allowedRegistries needs own)",
  "nat-instance-per-zone.yaml": "a rule between two fields with defaults (nat: instance, the default, and singleNatGateway: false)",
  "cron-month-13.yaml": "cron field ranges are checked in code",
  "kubecost-without-monitoring.yaml": "a rule between two sections (cost.kubecost needs monitoring.enabled)",
  "overlapping-cidrs.yaml": "CIDR arithmetic",
  "profile-too-large.yaml": "the instance catalog: which instances could hold the profile",
  "secret-in-group-env.yaml": "credential formats inside free text",
  "tiny-memory.yaml": "sizes compared in bytes (128Mi written as 0.125Gi or 131072Ki)",
  "unknown-instance-type.yaml": "the instance catalog",
  "unknown-profile-reference.yaml": "a reference between sections (a group names a profile that must exist)",
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(deploymentJsonSchema());
const BAD = join(ROOT, "__tests__", "bad-input");

/** The file as the schema sees it; undefined when YAML itself fails (no schema sees those). */
function data(path: string): unknown {
  const doc = parseDocument(readFileSync(path, "utf8"), { uniqueKeys: true });
  if (doc.errors.length) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

describe("the editor schema agrees with the loader", () => {
  const files = readdirSync(BAD).filter((f) => f.endsWith(".yaml")).sort();

  for (const f of files) {
    it(f, () => {
      const d = data(join(BAD, f));
      if (d === undefined) return; // YAML syntax and aliases: the editor's YAML parser reports those
      if (f in LOADER_ONLY) expect(validate(d), `${f} is listed as loader-only; the schema refuses it now: remove it from the list`).toBe(true);
      else expect(validate(d), `${f}: the schema accepts what the loader refuses`).toBe(false);
    });
  }

  it("every listed exception is a file of the corpus", () => {
    for (const f of Object.keys(LOADER_ONLY)) expect(files).toContain(f);
  });

  it("the shipped files and examples pass the schema", () => {
    for (const f of deploymentFiles()) {
      expect(validate(data(join(ROOT, f))), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
