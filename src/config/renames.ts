/** A group's `renamedFrom`, as written (one key or a list), read as a list, oldest first. */
export function formerKeysOf(renamedFrom: string | readonly string[] | undefined): readonly string[] {
  return renamedFrom === undefined ? [] : typeof renamedFrom === "string" ? [renamedFrom] : renamedFrom;
}
