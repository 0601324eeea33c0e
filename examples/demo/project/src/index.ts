/**
 * Turns text into a URL-friendly slug: lower-case ASCII letters and digits
 * separated by single hyphens. Accents are stripped ("Crème brûlée" → "creme-brulee").
 *
 * @param text - Any human-readable text.
 * @returns The slug, or an empty string when the text has no letters or digits.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
