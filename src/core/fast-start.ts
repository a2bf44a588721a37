/**
 * Imported first by every entry point that synthesizes (main.ts, the bench).
 *
 * tsx turns on Node's source-map support, and CDKTF records a full stack trace for every token
 * it creates (each `ref`, attribute and `Fn` call), so with source maps on, each of thousands of
 * traces is mapped back through the inline source maps of cdktf and the provider bindings, which
 * Node also parses as each module loads. That was a third of a synth of config/dandi.yaml. The
 * traces are only read when CDKTF throws; dandihub's own errors are messages, not stacks. Set
 * DANDIHUB_DEBUG=1 to keep mapped stack traces.
 */
if (!process.env.DANDIHUB_DEBUG) process.setSourceMapsEnabled(false);

export {};
