/** Cheaper stack traces for synthesis (fast-start.ts for the app, the test setup for the suite). */

const FRAMES = 25;
/** Above this limit a capture is CDKTF's whole-stack one (it sets Number.MAX_SAFE_INTEGER). */
const WHOLE_STACK = 1000;

/** An Error's trace: its message and first 25 frames, through V8's documented hook; any other capture, nothing. */
export function shortStackTraces(): void {
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) =>
    error instanceof Error ? [`${error.name}: ${error.message}`, ...frames.slice(0, FRAMES).map((f) => `    at ${f.toString()}`)].join("\n") : "";
}

/**
 * CDKTF's token creation stacks (a whole-stack capture onto a plain object, read only if CDKTF
 * throws about that token) record nothing: taking them was a seventh of a 500-group synth even
 * unformatted, and more under a test runner's source maps. Errors' own traces are untouched.
 */
export function skipTokenStackTraces(): void {
  const capture = Error.captureStackTrace.bind(Error);
  Error.captureStackTrace = (target: object, below?: Function) => {
    if (!(target instanceof Error) && Error.stackTraceLimit > WHOLE_STACK) Object.assign(target, { stack: "" });
    else capture(target, below);
  };
}
