/**
 * Which of an agent's changed paths are protected. Globs are matched against workspace-relative
 * paths with forward slashes, dot files included (`.github/**` must match), case as written.
 */
import picomatch from 'picomatch';

export type ProtectedPathMatcher = (path: string) => boolean;

/** Compiled matchers by their globs: a definition's few globs are compiled once, not on every step. */
const compiled = new Map<string, ProtectedPathMatcher>();
const COMPILED_KEPT = 64;

export function protectedPathMatcher(globs: readonly string[]): ProtectedPathMatcher {
  if (globs.length === 0) return () => false;
  const key = globs.join('\0');
  let matcher = compiled.get(key);
  if (matcher === undefined) {
    const match = picomatch([...globs], { dot: true });
    matcher = (path) => match(path.replace(/\\/g, '/').replace(/^\.\//, ''));
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    compiled.set(key, matcher);
  }
  return matcher;
}

/** The protected ones among `paths`, each once, in the order given. */
export function protectedAmong(paths: readonly string[], globs: readonly string[]): string[] {
  const isProtected = protectedPathMatcher(globs);
  return [...new Set(paths.filter(isProtected))];
}
