/** Plain-text output of the demo: numbered sections, progress bars (redrawn in place only on a TTY). */

const BAR_WIDTH = 28;

/** `[####.....] done/total`. */
export function bar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}

/** One line on stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A section title. */
export function section(n: number, title: string): void {
  say();
  say(`── ${n}. ${title}`);
}

/** Show progress: redraws one line on a TTY; elsewhere prints only the final state (see `done`). */
export function progress(label: string, done: number, total: number): void {
  if (process.stdout.isTTY) process.stdout.write(`\r   ${label} ${bar(done, total)}`);
}

/** Finish a progress line (the final bar on a non-TTY) with `suffix`. */
export function progressDone(label: string, total: number, suffix: string): void {
  if (process.stdout.isTTY) process.stdout.write('\r');
  say(`   ${label} ${bar(total, total)}  ${suffix}`);
}
