/**
 * npm run pin-images -- <deployment file> [--refresh]: writes the digest of each image whose tag
 * is re-pushed (latest, latest-gpu, ...) into the file (--refresh: of every image, moving pins
 * forward). Needs the registries; help/images.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pinImages, type Fetch } from "../src/features/images/pin";

async function main(args: string[]): Promise<number> {
  const files = args.filter((a) => !a.startsWith("--"));
  if (files.length !== 1) {
    process.stderr.write("usage: npm run pin-images -- <deployment file> [--refresh]\n");
    return 2;
  }
  const [file] = files;
  try {
    const result = await pinImages(readFileSync(file, "utf8"), { fetch: fetch as unknown as Fetch, refresh: args.includes("--refresh") });
    if (result.pinned.length) writeFileSync(file, result.text);
    process.stdout.write(result.pinned.length ? `${file}:\n${result.pinned.map((p) => `  ${p}`).join("\n")}\n` : `${file}: every re-pushed tag already has a digest\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${file}: ${(err as Error).message}; nothing was written\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
