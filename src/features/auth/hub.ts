/**
 * What login adds to the hub: the authenticator's configuration, the credentials it reads from a
 * Kubernetes Secret as environment variables (never as values), and the settings
 * hub/dandihub_hub uses to compute membership and refuse logins (archives, admin teams, each
 * group's members).
 */
import type { HubContribution } from "../../core/hub-contribution";
import type { SecretRef } from "../../config/secrets";
import type { GroupMembers, ResolvedAuth } from "./resolve";

/** The Secret in the hub's namespace holding login credentials and archive tokens given as Terraform variables. */
export const AUTH_SECRET = "dandihub-auth";
/** The Secret External Secrets Operator keeps in sync with Secrets Manager: the credentials the file gives as `secretsManager` (never in Terraform's state). */
export const AUTH_EXTERNAL_SECRET = "dandihub-auth-external";

/** Keys of the auth Secret; each becomes one hub environment variable. */
export const AUTH_SECRET_KEYS = {
  githubClientSecret: "github-client-secret",
  oauthClientSecret: "oauth-client-secret",
  archiveToken: (archive: string) => `archive-token-${archive}`,
} as const;

/** Hub environment variable holding an archive's API token (hub/dandihub_hub reads `tokenEnv`). */
export function archiveTokenEnv(name: string): string {
  return `DANDIHUB_ARCHIVE_TOKEN_${name.toUpperCase().replace(/-/g, "_")}`;
}

export interface EnvFromSecret {
  readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** Each credential of the auth Secrets: its key and the file's reference to it. */
function authCredentials(auth: ResolvedAuth): { key: string; ref: SecretRef }[] {
  const l = auth.login;
  return [
    ...(l.kind === "github" ? [{ key: AUTH_SECRET_KEYS.githubClientSecret, ref: l.clientSecret }] : []),
    ...(l.kind === "dandiOAuth" && l.clientSecret ? [{ key: AUTH_SECRET_KEYS.oauthClientSecret, ref: l.clientSecret }] : []),
    ...auth.archives.map((a) => ({ key: AUTH_SECRET_KEYS.archiveToken(a.name), ref: a.token })),
  ];
}

const synced = (ref: SecretRef) => ref.source.kind === "secretsManager";

/** What ESO syncs into AUTH_EXTERNAL_SECRET: each Secrets Manager credential, by key. */
export function externalAuthData(auth: ResolvedAuth): { secretKey: string; remoteRef: { key: string; property?: string } }[] {
  return authCredentials(auth).flatMap(({ key, ref }) =>
    ref.source.kind === "secretsManager" ? [{ secretKey: key, remoteRef: { key: ref.source.secretId, ...(ref.source.key ? { property: ref.source.key } : {}) } }] : [],
  );
}

function fromAuthSecret(auth: ResolvedAuth, key: string): EnvFromSecret {
  const ref = authCredentials(auth).find((c) => c.key === key)?.ref;
  return { valueFrom: { secretKeyRef: { name: ref && synced(ref) ? AUTH_EXTERNAL_SECRET : AUTH_SECRET, key } } };
}

/** The Cognito app client and hosted domain, when the Cognito login is used (made by its construct). */
export interface CognitoClient {
  readonly clientId: string;
  readonly baseUrl: string;
  readonly clientSecret: string;
}

/** The auth Secret's data: each credential's value (a Terraform expression), by key. */
export function authSecretData(auth: ResolvedAuth, valueOf: (ref: SecretRef) => string, cognito?: CognitoClient): Record<string, string> {
  const data: Record<string, string> = {};
  for (const { key, ref } of authCredentials(auth)) if (!synced(ref)) data[key] = valueOf(ref);
  if (auth.login.kind === "cognito" && cognito) data[AUTH_SECRET_KEYS.oauthClientSecret] = cognito.clientSecret;
  return data;
}

/** z2jh hub.config: the authenticator class and its OAuth client. */
function authenticatorConfig(auth: ResolvedAuth, hubUrl: string, cognito?: CognitoClient): Record<string, Record<string, unknown>> {
  const callback = `${hubUrl}/hub/oauth_callback`;
  // Groups are computed at login and synced into the hub (manage_groups); they need auth state.
  // Who may log in is decided by dandihub_hub.auth's check_allowed, not by allow_* traits, so
  // JupyterHub's "no allow config, nobody can login" warning would be wrong.
  const authenticator = { admin_users: [...auth.admins], manage_groups: true, enable_auth_state: true, any_allow_config: true };
  const l = auth.login;
  switch (l.kind) {
    case "github":
      return {
        JupyterHub: { authenticator_class: "github" },
        Authenticator: authenticator,
        GitHubOAuthenticator: { client_id: l.clientId, oauth_callback_url: callback, scope: ["read:org"], populate_teams_in_auth_state: true },
      };
    case "dandiOAuth":
      return {
        JupyterHub: { authenticator_class: "generic-oauth" },
        Authenticator: authenticator,
        GenericOAuthenticator: {
          client_id: l.clientId,
          oauth_callback_url: callback,
          login_service: l.archive.displayName,
          authorize_url: `${l.archive.api}/oauth/authorize/`,
          token_url: `${l.archive.api}/oauth/token/`,
          userdata_url: `${l.archive.api}/api/users/me/`,
          username_claim: "username",
          scope: [],
          enable_pkce: true,
          // A public (secret-less) PKCE client sends its id in the body, not as Basic auth.
          basic_auth: l.clientSecret !== undefined,
        },
      };
    case "cognito":
      return {
        JupyterHub: { authenticator_class: "generic-oauth" },
        Authenticator: authenticator,
        GenericOAuthenticator: {
          client_id: cognito!.clientId,
          oauth_callback_url: callback,
          login_service: "Cognito (development)",
          authorize_url: `${cognito!.baseUrl}/oauth2/authorize`,
          token_url: `${cognito!.baseUrl}/oauth2/token`,
          userdata_url: `${cognito!.baseUrl}/oauth2/userInfo`,
          username_claim: "username",
          scope: ["openid", "email", "profile"],
        },
      };
    case "dummy":
      return { JupyterHub: { authenticator_class: "dummy" }, Authenticator: { ...authenticator, allow_all: true } };
  }
}

/** Secrets reach the hub as environment variables read from the auth Secret, never as values. */
function authEnv(auth: ResolvedAuth): Record<string, EnvFromSecret> {
  const env: Record<string, EnvFromSecret> = {};
  const l = auth.login;
  // OAuthenticator reads GITHUB_CLIENT_SECRET (GitHub) and OAUTH_CLIENT_SECRET (generic).
  if (l.kind === "github") env.GITHUB_CLIENT_SECRET = fromAuthSecret(auth, AUTH_SECRET_KEYS.githubClientSecret);
  if ((l.kind === "dandiOAuth" && l.clientSecret) || l.kind === "cognito") env.OAUTH_CLIENT_SECRET = fromAuthSecret(auth, AUTH_SECRET_KEYS.oauthClientSecret);
  for (const a of auth.archives) env[archiveTokenEnv(a.name)] = fromAuthSecret(auth, AUTH_SECRET_KEYS.archiveToken(a.name));
  return env;
}

export interface AuthHubInput {
  readonly auth: ResolvedAuth;
  readonly hubUrl: string;
  readonly groups: readonly { readonly key: string; readonly members: GroupMembers }[];
  /** The Cognito client, with the Cognito login. @default none */
  readonly cognito?: CognitoClient;
}

export function authHubContribution({ auth, hubUrl, groups, cognito }: AuthHubInput): HubContribution {
  const l = auth.login;
  return {
    values: { hub: { config: authenticatorConfig(auth, hubUrl, cognito), extraEnv: authEnv(auth) } },
    settings: {
      authenticator: l.kind,
      archives: auth.archives.map((a) => ({
        name: a.name,
        displayName: a.displayName,
        api: a.api,
        web: a.web,
        check: a.check,
        timeoutSeconds: a.timeoutSeconds,
        tokenEnv: archiveTokenEnv(a.name),
      })),
      adminTeams: l.kind === "github" ? l.adminTeams : [],
      oauthArchive: l.kind === "dandiOAuth" ? l.archive.name : null,
      groups: Object.fromEntries(groups.map((g) => [g.key, { members: g.members }])),
    },
  };
}
