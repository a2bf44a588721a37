/** IPv4 CIDR arithmetic, done at synth time so subnet plans are literal and testable. */

export interface Ipv4Block {
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; returns a reason string when it is not a valid, aligned block. */
export function parseCidr(text: string): Ipv4Block | string {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/.exec(text);
  if (!m) return "not an IPv4 CIDR block";
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return "an octet is above 255";
  const prefix = Number(m[5]);
  if (prefix > 32) return "the prefix length is above 32";
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const hostBits = 32 - prefix;
  const mask = hostBits === 32 ? 0 : (0xffffffff << hostBits) >>> 0;
  if ((base & mask) >>> 0 !== base) return `host bits are set; the block starts at ${format({ base: (base & mask) >>> 0, prefix })}`;
  return { base, prefix };
}

export function format(block: Ipv4Block): string {
  const b = block.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${block.prefix}`;
}

/** Terraform's cidrsubnet(): the `index`-th block with `newBits` more prefix bits. */
export function subnet(block: Ipv4Block, newBits: number, index: number): Ipv4Block {
  const prefix = block.prefix + newBits;
  if (prefix > 32 || index >= 2 ** newBits) throw new Error(`no subnet ${index} of /${prefix} in ${format(block)}`);
  return { base: (block.base + index * 2 ** (32 - prefix)) >>> 0, prefix };
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * Subnet plan of the VPC: one large private block per zone for nodes and pods (the VPC CNI gives
 * every pod a VPC address), small public blocks for the NAT gateway and load balancer, carved
 * from the last eighth of the VPC.
 */
export function planSubnets(vpc: Ipv4Block, zones: number): { private: string[]; public: string[] } {
  const privateBlocks = Array.from({ length: zones }, (_, i) => format(subnet(vpc, 3, i)));
  const spare = subnet(vpc, 3, 7);
  const publicBlocks = Array.from({ length: zones }, (_, i) => format(subnet(spare, 5, i)));
  return { private: privateBlocks, public: publicBlocks };
}

/** Whether `inner` lies inside `outer` (both valid CIDR text). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (typeof a === "string" || typeof b === "string") return false;
  return a.prefix >= b.prefix && overlaps(a, b);
}

/** Whether an ipBlock (a CIDR with exceptions) admits the address `ip`. */
export function cidrAdmits(block: { readonly cidr: string; readonly except?: readonly string[] }, ip: string): boolean {
  const host = `${ip}/32`;
  return cidrWithin(host, block.cidr) && !(block.except ?? []).some((e) => cidrWithin(host, e));
}
