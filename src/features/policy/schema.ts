/** The security policy checked at synth: accepted exceptions. */
import { z } from "zod";

export const Waiver = z.strictObject({
  rule: z.string().regex(/^DH\d{3}$/, { message: "a rule id such as DH010 (help/security.md)" }),
  address: z
    .string()
    .min(1)
    .optional()
    .describe("The finding's address as synth prints it; a trailing * matches a prefix. Omitted: every finding of the rule."),
  reason: z.string().min(20, { message: "say why, in a sentence" }).describe("Printed at every synth."),
});

export const Policy = z
  .strictObject({ waivers: z.array(Waiver).default([]).describe("Accepted exceptions to the policy rules, each with its reason.") })
  .prefault({})
  .describe("The security policy checked at synth (help/security.md).");
