/** ISO timestamps for TEXT columns; one place so every table uses the same format. */
export function nowIso(): string {
  return new Date().toISOString();
}
