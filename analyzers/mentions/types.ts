/**
 * One tracked entity as a boolean listening query: any of `name`/`aliases` must occur (whole words,
 * case- and accent-insensitive, also as `#hashtag`/`@handle`), every `required` term must occur, at
 * least one `any` term when given, and no `exclude` term. `languages` limits it to those languages
 * when the mention's language is known.
 */
export interface EntityQuery {
  key: string;
  name: string;
  kind: 'brand' | 'competitor' | 'product';
  aliases: string[];
  exclude: string[];
  required?: string[];
  any?: string[];
  /** ISO 639-1 codes (`en`, `pt`); empty or absent = all languages. */
  languages?: string[];
}

/** Where one entity name or alias occurs in a mention. `offset` is a UTF-16 index into that field. */
export interface EntityMatch {
  key: string;
  kind: EntityQuery['kind'];
  field: 'title' | 'text';
  offset: number;
  /** The text as written at that offset (`#LuminaBeauty`, `Lúmina Beauty`). */
  matched: string;
}
