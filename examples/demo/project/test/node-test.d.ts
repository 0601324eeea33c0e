// Minimal type declarations for the Node built-ins the tests use, so the project
// type-checks with no npm dependencies (no @types/node).
declare module 'node:test' {
  type Fn = () => void | Promise<void>;
  export function describe(name: string, fn: Fn): void;
  export function it(name: string, fn: Fn): void;
  export function test(name: string, fn: Fn): void;
}

declare module 'node:assert/strict' {
  type ErrorClass = new (...args: any[]) => Error;
  interface Assert {
    equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    ok(value: unknown, message?: string): asserts value;
    throws(fn: () => unknown, expected?: ErrorClass | RegExp | object, message?: string): void;
  }
  const assert: Assert;
  export default assert;
}
