/** vitest globalSetup: unpack the pinned Helm once before any test runs. */
import { ensureHelm } from "./tools";

export default function setup(): void {
  ensureHelm();
}
