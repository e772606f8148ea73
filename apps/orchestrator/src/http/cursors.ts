// Opaque cursors for id-ordered lists.

export function encodeActivityCursor(id: number): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

/** The id the cursor points before, or null when the cursor is not one we issued. */
export function decodeActivityCursor(cursor: string): number | null {
  const match = /^a:(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}
