/**
 * Which of an agent's changed paths are protected. Globs are matched against workspace-relative
 * paths with forward slashes, dot files included (`.github/**` must match), case as written.
 */
import picomatch from 'picomatch';

export type ProtectedPathMatcher = (path: string) => boolean;

export function protectedPathMatcher(globs: readonly string[]): ProtectedPathMatcher {
  if (globs.length === 0) return () => false;
  const match = picomatch([...globs], { dot: true });
  return (path) => match(path.replace(/\\/g, '/').replace(/^\.\//, ''));
}

/** The protected ones among `paths`, each once, in the order given. */
export function protectedAmong(paths: readonly string[], globs: readonly string[]): string[] {
  const isProtected = protectedPathMatcher(globs);
  return [...new Set(paths.filter(isProtected))];
}
