/**
 * The optional "problem" beep: two short tones made with WebAudio (no sound file). Off unless the
 * desk's user turned it on; the choice is kept on this computer (a desk preference, not an account's).
 */
const KEY = 'clearance.problemSound';

export function problemSoundOn(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export function setProblemSound(on: boolean): void {
  try {
    if (on) localStorage.setItem(KEY, '1');
    else localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the beep stays off.
  }
}

let ctx: AudioContext | null = null;

/** Plays the beep when it is turned on; returns whether it played (for tests). */
export function beepProblem(): boolean {
  if (!problemSoundOn()) return false;
  try {
    ctx ??= new AudioContext();
    const start = ctx.currentTime;
    for (const [offset, freq] of [
      [0, 880],
      [0.22, 660],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.12, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    }
    // Counted on the page so that an end-to-end test can tell a beep happened.
    document.body.dataset.problemBeeps = String(Number(document.body.dataset.problemBeeps ?? 0) + 1);
    return true;
  } catch {
    return false;
  }
}
