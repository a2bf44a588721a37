/**
 * Terraform addresses are construct paths, so renaming a construct (a group's key is part of the
 * path of everything made for the group) would destroy and recreate real resources. Constructs
 * say which ids they had before; `MovedBlocks` turns that into `moved` blocks for every resource
 * and module below them, so state follows the new names and nothing is replaced.
 */
import type { Construct, IConstruct } from "constructs";
import { TerraformElement, TerraformHclModule, TerraformResource } from "./cdktf";

/** The Terraform name of a construct path below the stack: its ids joined by `_`. */
export function addressId(ids: readonly string[]): string {
  return ids.join("_");
}

const FORMER_IDS = new WeakMap<IConstruct, readonly string[]>();

/** Records that `construct` was called each of `formerIds` before (oldest first); returns it. */
export function formerlyCalled<T extends IConstruct>(construct: T, formerIds: readonly string[]): T {
  const ids = formerIds.filter((id) => id !== construct.node.id);
  if (ids.length) FORMER_IDS.set(construct, ids);
  return construct;
}

export interface Move {
  readonly from: string;
  readonly to: string;
}

/** `type.name` of a resource, `module.name` of a module call; data sources and others have none. */
function addressOf(element: IConstruct, name: string): string | undefined {
  if (element instanceof TerraformResource) return `${element.terraformResourceType}.${name}`;
  if (element instanceof TerraformHclModule) return `module.${name}`;
  return undefined;
}

/**
 * The moves that take state from every former address of each resource below `root` to its
 * current one: a chain oldest → … → current, as Terraform follows chained moves.
 */
export function renameMoves(root: Construct): Move[] {
  const moves: Move[] = [];
  /** The renamed scopes on the way down from `root`, with where each sits among `ids`. */
  type Renamed = { readonly at: number; readonly formerIds: readonly string[] };
  // One walk down the tree, carrying the ids below `root` and the renamed scopes among them.
  const visit = (node: IConstruct, ids: readonly string[], renamed: readonly Renamed[]): void => {
    if (renamed.length && addressOf(node, "")) {
      // One renamed scope per path: a construct for a group inside another group's does not exist.
      if (renamed.length > 1) throw new Error(`${node.node.path}: nested renamed constructs are not supported`);
      const { at, formerIds } = renamed[0];
      const addresses = [...formerIds, ids[at]].map((id) => addressOf(node, addressId([...ids.slice(0, at), id, ...ids.slice(at + 1)]))!);
      for (let i = 0; i + 1 < addresses.length; i++) moves.push({ from: addresses[i], to: addresses[i + 1] });
    }
    for (const child of node.node.children) {
      const formerIds = FORMER_IDS.get(child);
      visit(child, [...ids, child.node.id], formerIds ? [...renamed, { at: ids.length, formerIds }] : renamed);
    }
  };
  visit(root, [], []);
  return moves;
}

/**
 * `moved` blocks that cdktf's own `moveTo` cannot write: renames of whole subtrees (computed at
 * synth, from the finished tree below `renamesBelow`) and addresses inside module calls.
 */
export class MovedBlocks extends TerraformElement {
  private readonly explicit: Move[] = [];

  /** @param renamesBelow where to look for renamed constructs @default nowhere (explicit moves only) */
  constructor(
    scope: Construct,
    id: string,
    private readonly renamesBelow?: Construct,
  ) {
    super(scope, id);
  }

  /** A move this stack states itself, such as an instance key inside a module call. */
  add(from: string, to: string): void {
    if (from !== to) this.explicit.push({ from, to });
  }

  /** Every move, checked: one target per source and one source per target, as Terraform requires. */
  moves(): Move[] {
    const all = [...this.explicit, ...(this.renamesBelow ? renameMoves(this.renamesBelow) : [])];
    for (const m of all) {
      if (all.some((o) => o !== m && (o.from === m.from || o.to === m.to))) throw new Error(`ambiguous moves around ${m.from} -> ${m.to}`);
    }
    return all;
  }

  toTerraform(): Record<string, unknown> {
    const moves = this.moves();
    return moves.length ? { moved: moves } : {};
  }

  toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }

  toMetadata(): Record<string, unknown> {
    return {};
  }
}
