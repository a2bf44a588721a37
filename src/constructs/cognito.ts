import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { Construct } from "constructs";
import type { HubConfig } from "../config/resolve";

/**
 * A Cognito user pool with a hosted login page, for development hubs (the checks refuse it in
 * production). Users are created in the pool by an admin; their Cognito username is their hub
 * username, so groups list them under members.users.
 */
export class CognitoLogin extends Construct {
  readonly clientId: string;
  readonly clientSecret: string;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, config: HubConfig) {
    super(scope, id);
    const pool = new CognitoUserPool(this, "pool", {
      name: `${config.name}-hub`,
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: { minimumLength: 12, requireLowercase: true, requireNumbers: true, requireUppercase: true, requireSymbols: false },
      mfaConfiguration: "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      deletionProtection: "INACTIVE",
    });
    const prefix = config.cognitoDomainPrefix!;
    new CognitoUserPoolDomain(this, "domain", { domain: prefix, userPoolId: pool.id });
    const client = new CognitoUserPoolClient(this, "client", {
      name: `${config.name}-jupyterhub`,
      userPoolId: pool.id,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email", "profile"],
      callbackUrls: [`${config.hub.url}/hub/oauth_callback`],
      supportedIdentityProviders: ["COGNITO"],
    });
    this.clientId = client.id;
    this.clientSecret = client.clientSecret;
    this.baseUrl = `https://${prefix}.auth.${config.region}.amazoncognito.com`;
  }
}
