/**
 * A deployment file with `groups` groups of `profiles` profiles each, every group granting every
 * profile: what `npm run bench -- --groups N` synthesizes to show how synth scales, and what the
 * scale test checks against Kubernetes' and AWS's limits.
 */
export function scaleDeployment(groups: number, profiles: number): string {
  const lines = [
    `name: scale-${groups}x${profiles}`,
    "aws:\n  region: us-east-1",
    "hub:\n  domain: hub.example.org\n  tls:\n    letsEncrypt:\n      email: admin@example.org",
    "auth:\n  admins: [example-admin]\n  github:\n    clientId: Ov23liScaleExample00\n    clientSecret:\n      variable: github_client_secret\n    organizations: [example-org]",
    "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  coreNodes: { instanceTypes: [t3a.large] }",
    'images:\n  scipy:\n    name: quay.io/jupyter/scipy-notebook\n    tag: "2025-06-02"',
    "profiles:",
    ...Array.from({ length: profiles }, (_, j) => `  p${j}:\n    displayName: Profile ${j}\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [scipy]`),
    "groups:",
    ...Array.from({ length: groups }, (_, i) => `  g${i}:\n    displayName: Group ${i}\n    members:\n      github: ["example-org:team-${i}"]\n    profiles: [${Array.from({ length: profiles }, (_, j) => `p${j}`).join(", ")}]\n    limits: { cpu: 64, memory: 256Gi }`),
  ];
  return `${lines.join("\n")}\n`;
}
