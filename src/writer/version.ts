/**
 * Sediment's version: written into the header of generated migration files and part of the loader's
 * cache key (a new version never reuses bundles built by an older one). Keep it equal to package.json's
 * `version` (a test checks it).
 */
export const SEDIMENT_VERSION = '0.1.0';
