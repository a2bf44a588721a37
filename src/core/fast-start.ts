/**
 * Imported first by every entry point that synthesizes (main.ts, the bench), which end through
 * exitWhenFlushed below.
 *
 * CDKTF records a full stack trace for every token it creates (each `ref`, attribute and `Fn`
 * call): tens of thousands in a large deployment. With tsx's source maps on, each is mapped back
 * through the inline source maps of cdktf and the provider bindings (which Node also parses as
 * each module loads), and even without them Node's formatting of every frame was a sixth of a
 * 100-group synth. The traces are only read when CDKTF throws, and dandihub's own errors are
 * messages, not stacks: so source maps are off, V8's documented hook formats an Error's trace with
 * its first 25 frames, and CDKTF's token traces are not taken (stack-traces.ts). Set
 * DANDIHUB_DEBUG=1 for full, source-mapped traces.
 */
import { shortStackTraces, skipTokenStackTraces } from "./stack-traces";

if (!process.env.DANDIHUB_DEBUG) {
  process.setSourceMapsEnabled(false);
  shortStackTraces();
  skipTokenStackTraces();
}

/**
 * Ends the process with `code` once what it wrote to stdout and stderr is out (a write's callback
 * runs after every write before it, on a pipe too). Left to end by itself, Node then takes down
 * the whole heap of a large synth first: 50 ms of a 500-group synth, after the work is done.
 * `exit` handlers (the bundle's code cache) still run.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit()));
}
