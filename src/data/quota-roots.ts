// The quota roots: paths P with a limits node at /zookeeper/quota<P>/zookeeper_limits, in a trie of path
// components so that finding the quota that governs a write costs O(depth), and nothing while no quota
// exists. DataTree updates it on every attach and detach, so it is always a function of the tree's
// paths: creates, multi rollback and snapshot loading keep it right with no extra step.

export const QUOTA_ZOOKEEPER = "/zookeeper/quota";
export const LIMIT_NODE = "zookeeper_limits";
export const STAT_NODE = "zookeeper_stats";

const LIMIT_SUFFIX = `/${LIMIT_NODE}`;

export function limitPath(root: string): string {
  return `${QUOTA_ZOOKEEPER}${root}${LIMIT_SUFFIX}`;
}

export function statPath(root: string): string {
  return `${QUOTA_ZOOKEEPER}${root}/${STAT_NODE}`;
}

/** Java's `s.trim().isEmpty()`: only code units <= U+0020. */
function blank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x20) return false;
  return true;
}

/** ZooKeeper's PathTrie splits on '/' and drops blank components, so "/a/ /b" and "/a/b" are one path. */
function components(path: string): string[] {
  return path.split("/").filter((c) => !blank(c));
}

/**
 * The root a limits node declares: as DataTree.createNode does, anything whose parent starts with
 * /zookeeper/quota, minus that prefix. Undefined for other nodes and for the tree root, which ZooKeeper
 * never treats as a quota root.
 */
function declaredRoot(path: string): string[] | undefined {
  if (!path.endsWith(LIMIT_SUFFIX)) return undefined;
  const parent = path.slice(0, path.length - LIMIT_SUFFIX.length);
  if (!parent.startsWith(QUOTA_ZOOKEEPER)) return undefined;
  const parts = components(parent.slice(QUOTA_ZOOKEEPER.length));
  return parts.length === 0 ? undefined : parts;
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** Limits nodes declaring this path: two spellings of one path ("/a/b", "/a/ /b") count apart. */
  limits: number;
}

function trieNode(): TrieNode {
  return { children: new Map(), limits: 0 };
}

/** What readers of the tree may ask; only the tree itself attaches and detaches. */
export type QuotaRootsView = Pick<QuotaRoots, "size" | "governing" | "roots">;

export class QuotaRoots {
  private readonly top = trieNode();
  private limitNodes = 0;

  /** Limits nodes in the tree (0 means no write pays for quota tracking). */
  get size(): number {
    return this.limitNodes;
  }

  nodeAttached(path: string): void {
    const parts = declaredRoot(path);
    if (parts === undefined) return;
    let node = this.top;
    for (const part of parts) {
      let child = node.children.get(part);
      if (child === undefined) {
        child = trieNode();
        node.children.set(part, child);
      }
      node = child;
    }
    node.limits++;
    this.limitNodes++;
  }

  nodeDetached(path: string): void {
    const parts = declaredRoot(path);
    if (parts === undefined) return;
    const chain: TrieNode[] = [this.top];
    for (const part of parts) chain.push(chain[chain.length - 1]!.children.get(part)!);
    chain[chain.length - 1]!.limits--;
    this.limitNodes--;
    // Prune the branch back to the deepest node still in use.
    for (let i = parts.length; i > 0; i--) {
      const node = chain[i]!;
      if (node.limits > 0 || node.children.size > 0) break;
      chain[i - 1]!.children.delete(parts[i - 1]!);
    }
  }

  /**
   * The deepest quota root that is `path` or one of its ancestors, as "/a/b" (PathTrie.findMaxPrefix
   * with DataTree.getMaxPrefixWithQuota's exclusion of the root), or undefined.
   */
  governing(path: string): string | undefined {
    if (this.limitNodes === 0) return undefined;
    const parts = components(path);
    let node = this.top;
    let depth = 0;
    for (let i = 0; i < parts.length; i++) {
      const child = node.children.get(parts[i]!);
      if (child === undefined) break;
      node = child;
      if (node.limits > 0) depth = i + 1;
    }
    return depth === 0 ? undefined : `/${parts.slice(0, depth).join("/")}`;
  }

  /** Every quota root, sorted. */
  roots(): string[] {
    const out: string[] = [];
    const walk = (node: TrieNode, prefix: string): void => {
      if (node.limits > 0) out.push(prefix);
      for (const [name, child] of node.children) walk(child, `${prefix}/${name}`);
    };
    for (const [name, child] of this.top.children) walk(child, `/${name}`);
    return out.sort();
  }
}
