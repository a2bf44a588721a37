/** Image pins: references with digests, what the hub gets, and pin-images against a registry speaking the OCI API. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartImage, formatImageRef, isMutableTag, isPinned, parseImageRef } from "../src/core/util/image-ref";
import { ConfigError } from "../src/config/errors";
import { loadDeployment } from "../src/config/load";
import { pinImages, registryOf, type Fetch } from "../src/features/images/pin";
import { checkPolicy, formatPolicy } from "../src/features/policy/run";
import { hubSettings, minimalYaml, releaseValues, ROOT, synth } from "./helpers";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("image references", () => {
  it("parse and print: registry ports, tags, digests", () => {
    expect(parseImageRef("localhost:5000/a/b:1.2@" + DIGEST)).toEqual({ repository: "localhost:5000/a/b", tag: "1.2", digest: DIGEST });
    expect(parseImageRef("localhost:5000/a/b")).toEqual({ repository: "localhost:5000/a/b", tag: undefined, digest: undefined });
    expect(parseImageRef("dandiarchive/dandihub:latest-gpu")).toEqual({ repository: "dandiarchive/dandihub", tag: "latest-gpu", digest: undefined });
    expect(formatImageRef({ repository: "q.io/a", tag: "x", digest: DIGEST })).toBe(`q.io/a:x@${DIGEST}`);
    // z2jh renders `name:tag`: the digest rides in the tag.
    expect(chartImage(`q.io/a:latest@${DIGEST}`)).toEqual({ name: "q.io/a", tag: `latest@${DIGEST}` });
    expect(chartImage("localhost:5000/a:1")).toEqual({ name: "localhost:5000/a", tag: "1" });
  });

  it("re-pushed tags are the conventional moving ones; a digest pins any tag", () => {
    for (const t of ["latest", "latest-gpu", "main", "master", "stable", "nightly-2", "dev"]) expect(isMutableTag(t), t).toBe(true);
    for (const t of ["2025-06-02", "v1.2.3", "latestish", "4.4.0", "developer-1"]) expect(isMutableTag(t), t).toBe(false);
    expect(isPinned("a/b:latest")).toBe(false);
    expect(isPinned(`a/b:latest@${DIGEST}`)).toBe(true);
    expect(isPinned("a/b")).toBe(false);
  });

  it("a digest reaches every place a server's image is named", () => {
    const yaml = minimalYaml({ images: `images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: latest\n    digest: '${DIGEST}'` });
    const s = synth(yaml, { name: "digested" });
    const values = releaseValues(s.tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(values.singleuser.image).toEqual({ name: "quay.io/jupyter/base-notebook", tag: `latest@${DIGEST}` });
    expect(values.prePuller.extraImages.base).toEqual({ name: "quay.io/jupyter/base-notebook", tag: `latest@${DIGEST}` });
    expect(hubSettings(values).profiles[0].kubespawner_override.image).toBe(`quay.io/jupyter/base-notebook:latest@${DIGEST}`);
    expect(checkPolicy(s.config, s.text).violations.filter((v) => v.rule.id === "DH015")).toEqual([]);
  });

  it("a digest that is not one is refused at load", () => {
    const yaml = minimalYaml({ images: "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: latest\n    digest: sha256:abc" });
    expect(() => loadDeployment("config/t.yaml", yaml)).toThrow(ConfigError);
    try {
      loadDeployment("config/t.yaml", yaml);
    } catch (e) {
      expect((e as ConfigError).format()).toContain('images.base.digest = "sha256:abc": expected a content digest, sha256: and 64 hex digits');
    }
  });
});

describe("registries", () => {
  it("names resolve as Docker resolves them", () => {
    expect(registryOf("dandiarchive/dandihub")).toEqual({ host: "docker.io", repository: "dandiarchive/dandihub" });
    expect(registryOf("ubuntu")).toEqual({ host: "docker.io", repository: "library/ubuntu" });
    expect(registryOf("quay.io/jupyter/base-notebook")).toEqual({ host: "quay.io", repository: "jupyter/base-notebook" });
    expect(registryOf("localhost:5000/x")).toEqual({ host: "localhost:5000", repository: "x" });
  });
});

/**
 * A registry as Docker Hub behaves: a manifest HEAD without a token is 401 naming the token
 * realm; the realm hands an anonymous pull token for the asked scope; with it the HEAD gives the
 * digest of what the tag points at now (the index, when Accept allows one).
 */
function fakeRegistry(digests: Record<string, string>) {
  const seen: { scope?: string; accept?: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, "http://x");
    if (url.pathname === "/token") {
      seen.push({ scope: url.searchParams.get("scope") ?? undefined });
      res.writeHead(url.searchParams.get("service") === "registry.test" ? 200 : 400, { "content-type": "application/json" });
      res.end(JSON.stringify({ token: "anon-token" }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname);
    if (!m || req.method !== "HEAD") {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== "Bearer anon-token") {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://127.0.0.1:${port}/token",service="registry.test",scope="repository:${m[1]}:pull"` }).end();
      return;
    }
    seen.push({ accept: req.headers.accept });
    const digest = digests[`${m[1]}:${m[2]}`];
    if (!digest) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "docker-content-digest": digest }).end();
  });
  return { server, seen };
}

describe("npm run pin-images", () => {
  const digests: Record<string, string> = {};
  for (const [i, tag] of ["latest", "latest-allensdk", "latest-openscope", "latest-matlab", "latest-gpu"].entries()) digests[`dandiarchive/dandihub:${tag}`] = `sha256:${String(i).repeat(64)}`;
  const { server, seen } = fakeRegistry(digests);
  let opts: { fetch: Fetch; baseUrl: (host: string) => string };

  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const port = (server.address() as AddressInfo).port;
    opts = { fetch: fetch as unknown as Fetch, baseUrl: (host) => (host === "docker.io" ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/nowhere`) };
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("writes each re-pushed tag's digest into config/dandi.yaml, changing nothing else", async () => {
    const before = readFileSync(join(ROOT, "config/dandi.yaml"), "utf8");
    const result = await pinImages(before, opts);
    expect(result.pinned).toHaveLength(5);
    expect(result.pinned[0]).toBe(`images.dandi: dandiarchive/dandihub:latest -> sha256:${"0".repeat(64)}`);
    // Only digest lines are added: comments, order and everything else as written.
    const added = result.text.split("\n").filter((l) => !before.split("\n").includes(l));
    expect(added).toHaveLength(5);
    for (const l of added) expect(l).toMatch(/^ {4}digest: sha256:[0-9a-f]{64}$/);
    expect(result.text.split("\n").filter((l) => !l.startsWith("    digest: "))).toEqual(before.split("\n"));
    // The anonymous token was asked for the image's own pull scope; multi-arch indexes accepted.
    expect(seen).toContainEqual({ scope: "repository:dandiarchive/dandihub:pull" });
    expect(seen.find((s) => s.accept)?.accept).toContain("application/vnd.oci.image.index.v1+json");

    // The pinned file passes DH015, so its waiver now matches nothing and synth says to remove it.
    const pinnedHub = synth(result.text, { name: "dandi-pinned" });
    expect(pinnedHub.config.images.every((i) => i.ref.includes("@sha256:"))).toBe(true);
    const policy = checkPolicy(pinnedHub.config, pinnedHub.text);
    expect(policy.violations).toEqual([]);
    expect(formatPolicy(pinnedHub.config, policy).errors).toContain("policy.waivers[0]: waiver of DH015 matches nothing; remove it");
  });

  it("leaves pinned and dated images alone, and refreshes them only when asked", async () => {
    const text = `images:\n  a:\n    name: dandiarchive/dandihub\n    tag: latest\n    digest: 'sha256:${"9".repeat(64)}'\n  b:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'\n`;
    expect((await pinImages(text, opts)).pinned).toEqual([]);
    const refreshed = await pinImages(text.replace(/\n  b:[\s\S]*$/, "\n"), { ...opts, refresh: true });
    expect(refreshed.pinned).toEqual([`images.a: dandiarchive/dandihub:latest -> sha256:${"0".repeat(64)}`]);
  });

  it("a tag the registry does not have, or a registry without anonymous tokens, is an error naming the image", async () => {
    await expect(pinImages("images:\n  a:\n    name: dandiarchive/dandihub\n    tag: main\n", opts)).rejects.toThrow("dandiarchive/dandihub:main: docker.io answered HTTP 404 for the manifest");
    await expect(pinImages("images:\n  a:\n    name: quay.io/x/y\n    tag: latest\n", opts)).rejects.toThrow("quay.io/x/y:latest: quay.io answered HTTP 404");
  });
});
