import type { AnyNode, Element } from 'domhandler';

/** Ancestors from the node itself up to the root. */
export function ancestry(node: AnyNode): AnyNode[] {
  const chain: AnyNode[] = [];
  for (let n: AnyNode | null = node; n; n = n.parent) chain.push(n);
  return chain;
}

/** Number of tree edges between two nodes (through their lowest common ancestor). */
export function treeDistance(a: AnyNode, b: AnyNode): number {
  const up = ancestry(a);
  const index = new Map(up.map((n, i) => [n, i]));
  let steps = 0;
  for (let n: AnyNode | null = b; n; n = n.parent, steps++) {
    const i = index.get(n);
    if (i !== undefined) return i + steps;
  }
  return Number.POSITIVE_INFINITY;
}

export const isElement = (n: AnyNode): n is Element =>
  n.type === 'tag' || n.type === 'script' || n.type === 'style';

/** class + id + itemprop of an element, lowercased, for cheap pattern tests. */
export function markers(el: Element): string {
  const a = el.attribs;
  return `${a.class ?? ''} ${a.id ?? ''} ${a.itemprop ?? ''} ${a['data-testid'] ?? ''}`.toLowerCase();
}

const textCache = new WeakMap<AnyNode, string>();

/**
 * Text content of a node (as cheerio's `.text()`), memoised per node so walks that ask every
 * ancestor for its text stay linear in page size. Pages are never mutated after parsing here.
 */
export function textOf(node: AnyNode): string {
  const cached = textCache.get(node);
  if (cached !== undefined) return cached;
  let out = '';
  if (node.type === 'text' || node.type === 'cdata') out = (node as unknown as { data: string }).data ?? '';
  else if ('children' in node && node.type !== 'script' && node.type !== 'style') {
    out = (node.children as AnyNode[]).map(textOf).join('');
  }
  textCache.set(node, out);
  return out;
}
