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
