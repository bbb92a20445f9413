import { describe, expect, it } from 'vitest';
import { startProgress } from '../../src/core/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 40, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('startProgress', () => {
  it('draws nothing in the first second, then at most every 200 ms, and erases the line at the end', () => {
    let t = 0;
    const { stream, writes } = fakeStream(true);
    const progress = startProgress({ stream, now: () => t });
    for (t = 0; t <= 1500; t += 50) progress.tick(() => `at ${t}`);
    expect(writes).toEqual(['\r\u001b[Kat 1000', '\r\u001b[Kat 1200', '\r\u001b[Kat 1400']);
    progress.end();
    expect(writes.at(-1)).toBe('\r\u001b[K');
  });

  it('writes nothing when the stream is not a terminal', () => {
    let t = 0;
    const { stream, writes } = fakeStream(false);
    const progress = startProgress({ stream, now: () => t });
    for (t = 0; t <= 5000; t += 100) progress.tick(() => 'x');
    progress.end();
    expect(writes).toEqual([]);
  });

  it('cuts a line to the terminal width', () => {
    const t = 2000;
    const { stream, writes } = fakeStream(true);
    const progress = startProgress({ stream, now: () => t, delayMs: 0 });
    progress.tick(() => 'y'.repeat(100));
    expect(writes[0]).toBe(`\r\u001b[K${'y'.repeat(39)}`);
  });
});
