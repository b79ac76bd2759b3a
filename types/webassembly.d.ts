// The part of the WebAssembly JS API the decoder loader uses. @types/node 20 does not
// declare it, and the DOM lib would bring browser globals into a Node project.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource)
  }
  class Memory {
    readonly buffer: ArrayBuffer
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>)
    readonly exports: Record<string, unknown>
  }
}
type BufferSource = ArrayBufferView | ArrayBuffer
