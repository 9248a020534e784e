// wasmbuilder and wasmcurves ship no types: the few functions poseidon-wasm.ts uses.
declare module 'wasmbuilder' {
  export class ModuleBuilder {
    setMemory(pages: number): void;
    build(): Uint8Array<ArrayBuffer>;
  }
}
declare module 'wasmcurves' {
  export function buildF1m(module: unknown, q: bigint, prefix: string): string;
}
