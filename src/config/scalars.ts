/**
 * Scalar types of the deployment file shared by every section: names, quantities, durations,
 * CIDRs, DNS names, GitHub logins, e-mail addresses, Kubernetes label and env names, cron
 * schedules and secret references.
 */
import { z } from "zod";
import { parseQuantity } from "./units";
import { cronProblem } from "../core/util/cron";
import { DURATION_HELP, DURATION_PATTERN, QUANTITY_HELP, QUANTITY_PATTERN } from "./units";

const NAME_PATTERN = "^[a-z][a-z0-9-]{0,30}[a-z0-9]$";
const NAME_RE = new RegExp(NAME_PATTERN);
/** Names that become Kubernetes labels, Terraform addresses and AWS resource names. */
export const Name = z
  .string()
  .regex(NAME_RE, { message: "lowercase letters, digits and '-', 2-32 characters, starting with a letter" })
  // Names become keys of plain objects; one that is a built-in property would look like it exists.
  .refine((n) => !NAME_RE.test(n) || !(n in Object.prototype), { message: "reserved (a built-in property of every JavaScript object); choose another name" })
  // Editors get the same rule (JSON Schema has no refinements): constructor is the one such name the pattern lets through.
  .meta({ pattern: "^(?!constructor$)[a-z][a-z0-9-]{0,30}[a-z0-9]$" });

export const Quantity = z.string().regex(new RegExp(QUANTITY_PATTERN), { message: QUANTITY_HELP });

/** A Quantity within bounds (checked only once it is a quantity at all). */
export function quantityBetween(minBytes: number, maxBytes: number, message: string) {
  const re = new RegExp(QUANTITY_PATTERN);
  return Quantity.refine((q) => !re.test(q) || (parseQuantity(q) >= minBytes && parseQuantity(q) <= maxBytes), { message });
}

/** A size that must be more than nothing (a quota, a limit). */
export const NonZeroQuantity = quantityBetween(1, Number.MAX_SAFE_INTEGER, "more than zero").meta({ pattern: `^(?!0+(\\.0+)?(Ki|Mi|Gi|Ti)$)${QUANTITY_PATTERN.slice(1)}` });
export const Duration = z.string().regex(new RegExp(DURATION_PATTERN), { message: DURATION_HELP });

const CIDR_PATTERN = "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$";
export const Cidr = z.string().regex(new RegExp(CIDR_PATTERN), { message: "an IPv4 CIDR block such as 10.1.0.0/16" });

const DOMAIN_PATTERN = "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$";
export const Domain = z.string().regex(new RegExp(DOMAIN_PATTERN), { message: "a lowercase DNS name such as hub.example.org" });

export const GITHUB_LOGIN = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, { message: "a GitHub login (letters, digits, single '-')" });

export const EMAIL = z
  .string()
  .regex(/^[^@\s]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, { message: "an e-mail address (name@domain.tld; domain labels are letters, digits and inner '-')" });

export const GITHUB_ORG = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "a GitHub organization login" });
export const GITHUB_MEMBERSHIP = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(:[A-Za-z0-9_.-]+)?$/, { message: "`org` or `org:team-slug`" });

export const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "an environment variable name" });
export const LABEL_KEY = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, { message: "a Kubernetes label key" });
export const LABEL_VALUE = z
  .string()
  .regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/, { message: "a Kubernetes label value (63 characters, alphanumeric ends)" });

export const CRON = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, { message: "a five-field cron schedule such as \"0 4 * * *\" (UTC)" })
  .superRefine((text, ctx) => {
    const problem = /^(\S+\s+){4}\S+$/.test(text) ? cronProblem(text) : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: `a five-field cron schedule such as "0 4 * * *" (UTC): ${problem}` });
  });

/**
 * A secret never appears in the deployment file. It arrives at apply time either as a
 * sensitive Terraform variable (TF_VAR_<name>, a Terraform Cloud workspace variable) or from
 * AWS Secrets Manager.
 */
/** Names Terraform refuses for input variables (its meta-arguments; "Declaring an Input Variable"). */
export const TERRAFORM_RESERVED_VARIABLES: readonly string[] = ["count", "depends_on", "for_each", "lifecycle", "locals", "providers", "source", "version"];

export const SecretRef = z
  .strictObject({
    variable: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, { message: "a Terraform variable name (lowercase letters, digits, '_')" })
      .refine((v) => !TERRAFORM_RESERVED_VARIABLES.includes(v), { message: `reserved by Terraform for its own meta-arguments (${"count, depends_on, for_each, lifecycle, locals, providers, source, version"}): choose another name` })
      .meta({ pattern: "^(?!(count|depends_on|for_each|lifecycle|locals|providers|source|version)$)[a-z][a-z0-9_]*$" })
      .optional()
      .describe("Name of a sensitive Terraform variable that holds the secret (set TF_VAR_<name> at apply time)."),
    secretsManager: z
      .strictObject({
        secretId: z
          .string()
          .min(1)
          .describe("Name or ARN of the AWS Secrets Manager secret."),
        key: z
          .string()
          .optional()
          .describe("JSON key inside the secret string; the whole string when omitted."),
      })
      .optional()
      .describe("Read the secret from AWS Secrets Manager at apply time."),
  })
  .describe("Where a secret comes from: exactly one of `variable` or `secretsManager`.");

/** A secret reference as the file writes it (exactly one of the two, checked in checks). */
export type SecretRefConfig = z.output<typeof SecretRef>;
