/**
 * One item read from structured data (JSON-LD, microdata or RDFa), in a shape shared by all three
 * so offers are read by one set of rules whatever the syntax.
 */
export interface SchemaNode {
  /** Short schema.org type names ("Product", "Offer"), vocabulary prefixes stripped. */
  types: string[];
  /** Short property name → values in document order. */
  props: Map<string, SchemaValue[]>;
  /** Where it was found, for evidence ("jsonld[0].@graph[2]", "microdata div.product"). */
  path: string;
}

export type SchemaValue = string | SchemaNode;

/** "http://schema.org/InStock", "schema:price", "og:Product" → "InStock", "price", "Product". */
export function shortName(iri: string): string {
  const s = iri.trim();
  const cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('#'), s.lastIndexOf(':'));
  return cut >= 0 ? s.slice(cut + 1) : s;
}

export function addProp(node: SchemaNode, name: string, value: SchemaValue): void {
  const key = shortName(name);
  if (!key) return;
  const list = node.props.get(key);
  if (list) list.push(value);
  else node.props.set(key, [value]);
}

export function values(node: SchemaNode, name: string): SchemaValue[] {
  return node.props.get(name) ?? [];
}

/** First string value of a property, trimmed; nested items count through their `name`. */
export function text(node: SchemaNode, name: string): string | null {
  for (const v of values(node, name)) {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t) return t;
    } else {
      const inner = text(v, 'name') ?? text(v, '@value');
      if (inner) return inner;
    }
  }
  return null;
}

export function nodes(node: SchemaNode, name: string): SchemaNode[] {
  return values(node, name).filter((v): v is SchemaNode => typeof v !== 'string');
}

export function isType(node: SchemaNode, ...types: string[]): boolean {
  return node.types.some((t) => types.includes(t));
}
