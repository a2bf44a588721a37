/**
 * Imported first by every entry point that synthesizes (main.ts, the bench).
 *
 * CDKTF records a full stack trace for every token it creates (each `ref`, attribute and `Fn`
 * call): tens of thousands in a large deployment. With tsx's source maps on, each is mapped back
 * through the inline source maps of cdktf and the provider bindings (which Node also parses as
 * each module loads), and even without them Node's formatting of every frame was a sixth of a
 * 100-group synth. The traces are only read when CDKTF throws, and dandihub's own errors are
 * messages, not stacks: so source maps are off, V8's documented hook formats an Error's trace with
 * its first 25 frames, and a whole-stack capture onto a plain object (CDKTF's token creation
 * stacks: it raises the limit to capture every frame) records nothing, which was a seventh of a
 * 500-group synth even unformatted. Set DANDIHUB_DEBUG=1 for full, source-mapped traces.
 */
const FRAMES = 25;
/** Above this limit a capture is CDKTF's whole-stack one (it sets Number.MAX_SAFE_INTEGER). */
const WHOLE_STACK = 1000;

if (!process.env.DANDIHUB_DEBUG) {
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) =>
    error instanceof Error ? [`${error.name}: ${error.message}`, ...frames.slice(0, FRAMES).map((f) => `    at ${f.toString()}`)].join("\n") : "";
  const capture = Error.captureStackTrace.bind(Error);
  Error.captureStackTrace = (target: object, below?: Function) => {
    if (!(target instanceof Error) && Error.stackTraceLimit > WHOLE_STACK) Object.assign(target, { stack: "" });
    else capture(target, below);
  };
}

export {};
