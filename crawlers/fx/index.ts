/** Exchange-rate files (CSV, ECB XML) to dated rates. Pure. */
export * from './parse-fx-rates.ts';
