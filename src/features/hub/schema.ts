/** The hub itself: its address, TLS, culling and database; the menu entries' names; a group's identity and its profiles. */
import { z } from "zod";
import { Cidr, Domain, Duration, EMAIL, ENV_NAME, GITHUB_LOGIN, LABEL_KEY, LABEL_VALUE, Name, Quantity } from "../../config/scalars";

/** Shown in menus and pages: a line, not a document (everything lands in the hub's 1 MiB settings). */
const DisplayName = z.string().min(1).max(80, { message: "at most 80 characters: a label, shown in menus" });
const Description = z.string().max(1000, { message: "at most 1000 characters: shown under the label; link to longer text" }).default("");

const Tls = z
  .strictObject({
    acmCertificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[0-9a-f-]+$/, { message: "an ACM certificate ARN" })
      .optional()
      .describe("TLS terminated at the NLB with this ACM certificate (recommended)."),
    letsEncrypt: z
      .strictObject({ email: EMAIL.describe("Contact address for Let's Encrypt expiry notices.") })
      .optional()
      .describe("TLS from Let's Encrypt inside the hub's proxy (the NLB passes TCP through)."),
    none: z
      .literal(true)
      .optional()
      .describe("Plain HTTP. Refused unless environment is development."),
  })
  .describe("How the hub serves TLS: exactly one of acmCertificateArn, letsEncrypt or none.");

const Cull = z.strictObject({
  enabled: z.boolean().default(true),
  idleTimeout: Duration.default("1h").describe("Stop a server after this long without activity."),
  maxAge: Duration.optional().describe("Stop any server older than this, active or not. No limit when omitted."),
  every: Duration.default("10m").describe("How often the culler checks."),
});

export const Hub = z.strictObject({
  domain: Domain.describe("Public host name of the hub; point a DNS CNAME at the load balancer."),
  tls: Tls,
  cull: Cull.prefault({}),
  startTimeout: Duration.default("20m").describe("How long a server may take to start (node launch plus image pull)."),
  defaultUrl: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default("/lab").describe("Where a started server opens."),
  db: z
    .strictObject({ size: Quantity.default("1Gi").describe("Hub database volume (sqlite on encrypted gp3, retained). The hub stores users, servers and tokens: a few MB per thousand users, so 1Gi lasts.") })
    .prefault({}),
  loadBalancerSourceRanges: z
    .array(Cidr)
    .default(["0.0.0.0/0"])
    .describe("CIDRs allowed to reach the hub's load balancer."),
  contact: z
    .string()
    .min(1)
    .default("the hub's administrators")
    .describe("Where users ask for help (an e-mail address or URL); shown when the hub refuses a login or a server."),
});

/** How a profile appears in the menu (fields of `profiles.<name>`). */
export const profileFields = {
  displayName: DisplayName,
  description: Description,
  default: z.boolean().default(false).describe("Selected by default in the server options form."),
};

/** A group's name, admins, granted profiles and what its servers get (fields of `groups.<name>`). */
export const groupFields = {
  displayName: DisplayName,
  description: Description,
  admins: z
    .array(GITHUB_LOGIN)
    .default([])
    .describe("Users who may see, start and stop this group's servers (a JupyterHub role scoped to the group)."),
  profiles: z.array(Name).min(1).describe("Profiles (by name) members may start; a user in several groups sees the union."),
  env: z.record(ENV_NAME, z.string()).default({}).describe("Environment variables of servers started for this group."),
  labels: z.record(LABEL_KEY, LABEL_VALUE).default({}).describe("Extra pod labels of servers started for this group."),
};
