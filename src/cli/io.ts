/** Output sinks of the CLI, injectable so that tests run commands in-process and read what they print. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The process's own stdout / stderr. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An in-memory sink for tests. */
export function memoryIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}
