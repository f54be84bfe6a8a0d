/** A positive integer parameter, or the fallback. */
export function intParam(search: URLSearchParams, name: string, fallback = 1): number {
  const value = Number(search.get(name));
  return Number.isInteger(value) && value >= 1 ? value : fallback;
}

/** A parameter only if it is one of the allowed values, typed as such. */
export function oneOf<T extends string>(search: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = search.get(name);
  return allowed.find((item) => item === value);
}

/** The largest amount the server takes (its prices are 32-bit integers). */
export const MAX_CENTS = 2_147_483_647;

/** A whole, non-negative amount in minor units (cents), or undefined. */
export function centsParam(search: URLSearchParams, name: string): number | undefined {
  const raw = search.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 && value <= MAX_CENTS ? value : undefined;
}
