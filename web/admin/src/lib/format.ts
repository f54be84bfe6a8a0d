import { TRPCClientError } from '@trpc/client';

type ZodFlattened = { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> };

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // A validation failure's message is zod's issue list as JSON; the
    // flattened form in `data.zodError` reads better.
    const zod = (error.data as { zodError?: ZodFlattened | null } | undefined)?.zodError;
    if (zod) {
      const fields = Object.entries(zod.fieldErrors).map(([field, messages]) => `${field}: ${(messages ?? []).join(', ')}`);
      const lines = [...zod.formErrors, ...fields];
      if (lines.length) return lines.join('; ');
    }
  }
  if (error instanceof Error) return error.message || 'Something went wrong';
  return String(error);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** Minor units in the currency's own number of decimals (JPY has none). */
export function formatMoney(cents: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(cents / 10 ** digits);
  } catch {
    return `${cents} ${currency} (minor units)`;
  }
}

/** 'PUBLISHED' or 'admins' as a heading word: 'Published', 'Admins'. */
export function humanize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}
