/** A group's `renamedFrom`, as written (one key or a list), read as a list, oldest first. */
export function formerKeysOf(renamedFrom: string | readonly string[] | undefined): readonly string[] {
  return renamedFrom === undefined ? [] : typeof renamedFrom === "string" ? [renamedFrom] : renamedFrom;
}

/** The problem text for a reference to a group that is not there, pointing renamed keys at their new one. */
export function noSuchGroup(groups: Readonly<Record<string, { readonly renamedFrom?: string | readonly string[] }>>, name: string): string {
  const renamedTo = Object.keys(groups).find((k) => formerKeysOf(groups[k].renamedFrom).includes(name));
  if (renamedTo) return `no such group: ${name} was renamed to ${renamedTo} (groups.${renamedTo}.renamedFrom); use the new key`;
  return `no such group; groups: ${Object.keys(groups).join(", ")}`;
}
