import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { Construct } from "constructs";

export interface CognitoLoginProps {
  /** The deployment's name: the pool's and the app client's. */
  readonly name: string;
  /** The AWS region of the deployment. */
  readonly region: string;
  /** Hosted login page prefix: https://<prefix>.auth.<region>.amazoncognito.com */
  readonly domainPrefix: string;
  /** The hub's public URL (the OAuth callback). */
  readonly hubUrl: string;
}

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

  constructor(scope: Construct, id: string, props: CognitoLoginProps) {
    super(scope, id);
    const pool = new CognitoUserPool(this, "pool", {
      name: `${props.name}-hub`,
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: { minimumLength: 12, requireLowercase: true, requireNumbers: true, requireUppercase: true, requireSymbols: false },
      mfaConfiguration: "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      deletionProtection: "INACTIVE",
    });
    new CognitoUserPoolDomain(this, "domain", { domain: props.domainPrefix, userPoolId: pool.id });
    const client = new CognitoUserPoolClient(this, "client", {
      name: `${props.name}-jupyterhub`,
      userPoolId: pool.id,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email", "profile"],
      callbackUrls: [`${props.hubUrl}/hub/oauth_callback`],
      supportedIdentityProviders: ["COGNITO"],
    });
    this.clientId = client.id;
    this.clientSecret = client.clientSecret;
    this.baseUrl = `https://${props.domainPrefix}.auth.${props.region}.amazoncognito.com`;
  }
}
