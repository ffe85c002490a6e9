/** A tracked brand for tests: matched by its name alone (no aliases, exclusions or language limits). */
export const brand = (key: string, name: string) => ({
  key,
  name,
  kind: 'brand' as const,
  aliases: [],
  exclude: [],
  required: [],
  any: [],
  languages: [],
});
