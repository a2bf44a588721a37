/**
 * Looks up the content digest of images whose tag is re-pushed (latest, latest-gpu, ...) and
 * writes it into the deployment file, beside the tag, keeping the file's comments and layout.
 * Registries speak the OCI distribution API: an anonymous pull token from the realm the registry
 * names in its 401, then a HEAD of the manifest, whose Docker-Content-Digest header is the digest.
 */
import { isMap, isScalar, parseDocument, type Scalar } from "yaml";
import { isMutableTag } from "../../core/util/image-ref";

/** Manifest types a registry may hold for a tag: multi-arch indexes first (their digest covers every arch). */
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<{ status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> }>;

export interface RegistryOptions {
  readonly fetch: Fetch;
  /** Base URL of a registry host. @default https://<host>, Docker Hub's API host for docker.io */
  readonly baseUrl?: (host: string) => string;
}

/** Registry host and repository path of an image name, as Docker resolves them. */
export function registryOf(name: string): { host: string; repository: string } {
  const [first, ...rest] = name.split("/");
  const hasHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = hasHost ? first : "docker.io";
  const path = hasHost ? rest.join("/") : name;
  return { host, repository: host === "docker.io" && !path.includes("/") ? `library/${path}` : path };
}

function defaultBaseUrl(host: string): string {
  return host === "docker.io" ? "https://registry-1.docker.io" : `https://${host}`;
}

/** `Bearer realm="…",service="…"` → its parameters. */
function challenge(header: string): Record<string, string> {
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** The digest `name:tag` points at now. */
export async function resolveDigest(name: string, tag: string, opts: RegistryOptions): Promise<string> {
  const { host, repository } = registryOf(name);
  const manifest = `${(opts.baseUrl ?? defaultBaseUrl)(host)}/v2/${repository}/manifests/${tag}`;
  const head = (headers: Record<string, string>) => opts.fetch(manifest, { method: "HEAD", headers: { Accept: MANIFEST_TYPES, ...headers } });
  let res = await head({});
  if (res.status === 401) {
    const auth = challenge(res.headers.get("www-authenticate") ?? "");
    if (!auth.realm) throw new Error(`${name}:${tag}: ${host} asked for credentials without saying where to get a token`);
    const url = `${auth.realm}?${new URLSearchParams({ ...(auth.service ? { service: auth.service } : {}), scope: `repository:${repository}:pull` })}`;
    const tokenRes = await opts.fetch(url);
    if (tokenRes.status !== 200) throw new Error(`${name}:${tag}: no anonymous pull token from ${auth.realm} (HTTP ${tokenRes.status}); a private image needs its digest written by hand`);
    const body = (await tokenRes.json()) as { token?: string; access_token?: string };
    res = await head({ Authorization: `Bearer ${body.token ?? body.access_token}` });
  }
  if (res.status !== 200) throw new Error(`${name}:${tag}: ${host} answered HTTP ${res.status} for the manifest`);
  const digest = res.headers.get("docker-content-digest");
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`${name}:${tag}: ${host} gave no content digest`);
  return digest;
}

export interface PinResult {
  /** The file's new text. */
  readonly text: string;
  /** What changed: `images.<key>: name:tag -> digest`. */
  readonly pinned: readonly string[];
}

/**
 * Writes the digest of every image in `images` whose tag is re-pushed (all of them with
 * `refresh`, to move pins forward). The file is edited as text, a line beside each tag, so its
 * comments, layout and quoting stay exactly as written.
 */
export async function pinImages(text: string, opts: RegistryOptions & { readonly refresh?: boolean }): Promise<PinResult> {
  const doc = parseDocument(text);
  const images = doc.get("images", true);
  if (!isMap(images)) return { text, pinned: [] };
  const pinned: string[] = [];
  const edits: { at: number; end: number; insert: string }[] = [];
  for (const pair of images.items) {
    const image = pair.value;
    if (!isScalar(pair.key) || !isMap(image)) continue;
    const name = image.get("name");
    const tag = image.get("tag");
    if (typeof name !== "string" || typeof tag !== "string") continue;
    const current = image.get("digest", true);
    const currentValue = isScalar(current) ? String(current.value) : undefined;
    if (!opts.refresh && (current !== undefined || !isMutableTag(tag))) continue;
    const digest = await resolveDigest(name, tag, opts);
    if (digest === currentValue) continue;
    pinned.push(`images.${String(pair.key.value)}: ${name}:${tag} -> ${digest}`);
    if (isScalar(current) && current.range) {
      edits.push({ at: current.range[0], end: current.range[1], insert: image.flow ? `'${digest}'` : digest });
      continue;
    }
    const tagPair = image.items.find((p) => isScalar(p.key) && p.key.value === "tag")!;
    const tagKey = tagPair.key as Scalar;
    const valueEnd = (tagPair.value as Scalar).range![1];
    if (image.flow) {
      edits.push({ at: valueEnd, end: valueEnd, insert: `, digest: '${digest}'` });
    } else {
      // After the tag's line (and any comment on it), at the tag's indentation.
      const lineEnd = text.indexOf("\n", valueEnd) < 0 ? text.length : text.indexOf("\n", valueEnd);
      const indent = tagKey.range![0] - (text.lastIndexOf("\n", tagKey.range![0]) + 1);
      edits.push({ at: lineEnd, end: lineEnd, insert: `\n${" ".repeat(indent)}digest: ${digest}` });
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.end);
  return { text: out, pinned };
}
