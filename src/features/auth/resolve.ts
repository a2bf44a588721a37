/** How users log in, resolved into one tagged union, and the archives with their token references. */
import { resolveSecret, type SecretRef } from "../../config/secrets";
import type { Deployment, GroupConfig } from "../../config/schema";
import { parseDuration } from "../../config/units";

/** An `org:team` (team null: the whole org). */
export type OrgTeam = readonly [string, string | null];

export type Login =
  | {
      readonly kind: "github";
      readonly clientId: string;
      readonly clientSecret: SecretRef;
      readonly organizations: readonly string[];
      /** Members of these teams (or orgs) are hub admins. */
      readonly adminTeams: readonly OrgTeam[];
    }
  | { readonly kind: "dandiOAuth"; readonly archive: ResolvedArchive; readonly clientId: string; readonly clientSecret?: SecretRef }
  | { readonly kind: "cognito"; readonly domainPrefix: string }
  | { readonly kind: "dummy" };

export type Authenticator = Login["kind"];
export const AUTHENTICATORS = ["github", "dandiOAuth", "cognito", "dummy"] as const satisfies readonly Authenticator[];

export interface ResolvedArchive {
  readonly name: string;
  readonly displayName: string;
  readonly api: string;
  readonly web: string;
  readonly check: "search" | "list";
  readonly timeoutSeconds: number;
  /** The API token's reference, straight from `auth.archives[i].token`. */
  readonly token: SecretRef;
}

export interface ResolvedAuth {
  /** Hub admins named in the file. */
  readonly admins: readonly string[];
  readonly login: Login;
  readonly archives: readonly ResolvedArchive[];
}

export interface GroupMembers {
  readonly orgs: readonly string[];
  /** `[org, team-slug]` pairs. */
  readonly teams: readonly (readonly [string, string])[];
  readonly archives: readonly string[];
  readonly users: readonly string[];
}

function resolveLogin(d: Deployment, archives: readonly ResolvedArchive[]): Login {
  const a = d.auth;
  if (a.github) {
    return {
      kind: "github",
      clientId: a.github.clientId,
      clientSecret: resolveSecret(["auth", "github", "clientSecret"], a.github.clientSecret),
      organizations: a.github.organizations,
      adminTeams: a.github.adminTeams.map((t) => {
        const [org, team] = t.split(":");
        return [org, team ?? null] as const;
      }),
    };
  }
  if (a.dandiOAuth) {
    const o = a.dandiOAuth;
    return {
      kind: "dandiOAuth",
      // The checks refuse an archive that auth.archives does not define.
      archive: archives.find((x) => x.name === o.archive)!,
      clientId: o.clientId,
      clientSecret: o.clientSecret ? resolveSecret(["auth", "dandiOAuth", "clientSecret"], o.clientSecret) : undefined,
    };
  }
  if (a.cognito) return { kind: "cognito", domainPrefix: a.cognito.domainPrefix ?? `${d.name}-dandihub` };
  return { kind: "dummy" };
}

export function resolveAuth(d: Deployment): ResolvedAuth {
  const archives = d.auth.archives.map((a, i) => ({
    name: a.name,
    displayName: a.displayName,
    api: a.api,
    web: a.web,
    check: a.check,
    timeoutSeconds: parseDuration(a.timeout),
    token: resolveSecret(["auth", "archives", i, "token"], a.token),
  }));
  return { admins: d.auth.admins, login: resolveLogin(d, archives), archives };
}

/** Every secret the login needs, in the file's order (the Secrets construct names them by it). */
export function authSecrets(auth: ResolvedAuth): SecretRef[] {
  const l = auth.login;
  return [
    ...(l.kind === "github" ? [l.clientSecret] : []),
    ...auth.archives.map((a) => a.token),
    ...(l.kind === "dandiOAuth" && l.clientSecret ? [l.clientSecret] : []),
  ];
}

export function resolveMembers(g: GroupConfig): GroupMembers {
  return {
    orgs: g.members.github.filter((e) => !e.includes(":")),
    teams: g.members.github.filter((e) => e.includes(":")).map((e) => e.split(":") as [string, string]),
    archives: g.members.archives,
    users: g.members.users,
  };
}
