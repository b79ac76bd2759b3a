// Input a user named that a command cannot use (a missing file, a capture with no flow
// export): main prints `flowloft COMMAND: MESSAGE`, one line, exit 1, with no stack hint.
export class InputError extends Error {
  override readonly name = 'InputError'
}
