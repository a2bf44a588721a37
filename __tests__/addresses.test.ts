/**
 * Terraform addresses are API: renaming a construct id destroys and recreates the real resource.
 * Every shipped deployment and example must synthesize exactly the resource and module addresses
 * recorded in fixtures/addresses.json (refresh it with `npm run addresses -- --write` only for an
 * intended change, with `moved` blocks for renames).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addressesOf, ADDRESSES_FILE, deploymentFiles } from "../scripts/addresses";
import { EXAMPLES_DIR, synth } from "./helpers";

const recorded = JSON.parse(readFileSync(ADDRESSES_FILE, "utf8")) as Record<string, string[]>;

describe("Terraform addresses do not change", () => {
  it("every shipped deployment and example is recorded", () => {
    expect(Object.keys(recorded).sort()).toEqual(deploymentFiles().sort());
    expect(deploymentFiles().filter((f) => f.startsWith(`${EXAMPLES_DIR}/`)).length).toBeGreaterThan(0);
  });

  for (const file of deploymentFiles()) {
    it(`${file}: the same resource and module addresses`, () => {
      const now = addressesOf(synth(file).tf);
      const gone = recorded[file].filter((a) => !now.includes(a));
      const added = now.filter((a) => !recorded[file].includes(a));
      expect({ gone, added }).toEqual({ gone: [], added: [] });
    });
  }
});
