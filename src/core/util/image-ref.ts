/** Image references: `repository[:tag][@sha256:digest]`, as pod specs and z2jh's values take them. */

/** Tags whose content moves by design: a deployment naming one runs whatever was pushed last. */
const MUTABLE_TAG = /^(latest|main|master|stable|edge|nightly|dev)([-._].*)?$/;

/** Whether a tag is one that is re-pushed (latest, latest-gpu, main, ...). */
export function isMutableTag(tag: string): boolean {
  return MUTABLE_TAG.test(tag);
}

export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses a reference; the tag's colon is the last one after the last `/` (a registry may have a port). */
export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const colon = named.lastIndexOf(":");
  const tagged = colon > named.lastIndexOf("/");
  return { repository: tagged ? named.slice(0, colon) : named, tag: tagged ? named.slice(colon + 1) : undefined, digest };
}

export function formatImageRef(r: ImageRef): string {
  return `${r.repository}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** z2jh's `{name, tag}` image shape: it renders `name:tag`, so a digest rides in the tag. */
export function chartImage(ref: string): { name: string; tag: string } {
  const r = parseImageRef(ref);
  if (!r.tag) throw new Error(`${ref}: the chart's image shape needs a tag`);
  return { name: r.repository, tag: r.digest ? `${r.tag}@${r.digest}` : r.tag };
}

/** Content fixed: a digest, or a tag that is not re-pushed by convention. */
export function isPinned(ref: string): boolean {
  const r = parseImageRef(ref);
  return r.digest !== undefined || (r.tag !== undefined && !isMutableTag(r.tag));
}
