/** How users log in, the archives that approve them, and who belongs to which group. */
import { z } from "zod";
import { Duration, GITHUB_LOGIN, GITHUB_MEMBERSHIP, GITHUB_ORG, Name, SecretRef } from "../../config/scalars";

const GitHubAuth = z.strictObject({
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{8,64}$/, { message: "a GitHub OAuth app client id" })
    // 40 hex characters is the client secret (checked with its own message in checks.ts).
    .meta({ pattern: "^(?![0-9a-f]{40}$)[A-Za-z0-9._-]{8,64}$" })
    .describe("Client id of the GitHub OAuth app (not secret)."),
  clientSecret: SecretRef.describe("Client secret of the GitHub OAuth app."),
  organizations: z
    .array(GITHUB_ORG)
    .default([])
    .describe(
      "GitHub organizations whose membership the hub reads (each must grant the OAuth app access). " +
        "Every `org` or `org:team` in groups.*.members.github must be under one of them.",
    ),
  adminTeams: z
    .array(GITHUB_MEMBERSHIP)
    .default([])
    .describe("Members of these `org:team`s (or orgs) are hub admins."),
});

const Archive = z.strictObject({
  name: Name.describe("Name groups use in members.archives."),
  displayName: z.string().min(1).max(80, { message: "at most 80 characters" }).describe("Shown to users, e.g. on the not-approved page."),
  api: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+(:[0-9]+)?$/, { message: "an https:// origin with no path, e.g. https://api.dandiarchive.org" })
    .describe("Origin of the archive's DANDI-style REST API."),
  web: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+(\/.*)?$/, { message: "an https:// URL" })
    .describe("Where users register; shown to users who are not (yet) approved."),
  token: SecretRef.describe("API token of a service account of the archive (approved user, or archive admin for `list`)."),
  check: z
    .enum(["search", "list"])
    .default("list")
    .describe(
      "`list`: the approved accounts' GitHub logins from /api/users/?approved_only=true (archive-admin token; only accounts linked to GitHub, exact), cached briefly. " +
        "`search`: /api/users/search/ (approved token), which matches substrings, stops at 10, and answers an archive account's own username when it has no GitHub link, so a GitHub login equal to such a name is approved: policy DH016 refuses it outside development.",
    ),
  timeout: Duration.default("5s").describe("How long one archive request may take before it counts as an outage."),
});

const DandiOAuth = z.strictObject({
  archive: Name.describe("The archive (in auth.archives) that is the OAuth provider; approved users join groups listing it."),
  clientId: z.string().min(1).describe("Client id the archive's admins registered for this hub."),
  clientSecret: SecretRef.optional().describe("Client secret, for a confidential client; omit for a public PKCE client."),
});

const Cognito = z
  .strictObject({
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: "a Cognito domain prefix (lowercase letters, digits, '-')" })
      .optional()
      .describe("Prefix of the hosted login page <prefix>.auth.<region>.amazoncognito.com; unique per region. Default: <name>-dandihub."),
  })
  .describe("An Amazon Cognito user pool this stack creates, with a hosted login page (development only).");

export const Auth = z
  .strictObject({
    admins: z.array(GITHUB_LOGIN).default([]).describe("Hub admin users (explicit list)."),
    github: GitHubAuth.optional().describe("Log in with GitHub (the default for production hubs)."),
    archives: z
      .array(Archive)
      .default([])
      .describe("DANDI-style archives whose approved users may log in (with GitHub or dandiOAuth) and join the groups that list them."),
    dandiOAuth: DandiOAuth.optional().describe("Log in through a DANDI-style archive as OAuth2 provider (PKCE); only APPROVED users."),
    cognito: Cognito.optional().describe("Log in through a Cognito user pool created here. Development only."),
    dummy: z
      .strictObject({})
      .optional()
      .describe("Any user name logs in without a password (testing only). Refused unless environment is development."),
  })
  .describe("How users log in: exactly one of github, dandiOAuth, cognito, dummy; membership comes from groups.");

/** Who belongs to a group (a field of `groups.<name>`). */
export const groupFields = {
  members: z
    .strictObject({
      github: z.array(GITHUB_MEMBERSHIP).default([]).describe("GitHub `org` or `org:team-slug` whose members belong."),
      archives: z.array(Name).default([]).describe("Archives (auth.archives) whose approved users belong."),
      users: z.array(GITHUB_LOGIN).default([]).describe("Explicit usernames."),
      overlaps: z
        .array(Name)
        .default([])
        .describe(
          "Groups gated on a team of an org this group admits whole, whose members this group knowingly admits too " +
            "(without it such a file is refused: help/groups.md).",
        ),
    })
    .describe("Who belongs: the union of the sources given."),
};
