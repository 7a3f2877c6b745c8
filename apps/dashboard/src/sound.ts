/** The opt-in alarm for critical alerts: a short two-tone beep through Web Audio, no audio file. */
const STORAGE_KEY = 'sandglass.sound';

let context: AudioContext | undefined;

export function soundEnabled(): boolean {
  return window.localStorage.getItem(STORAGE_KEY) === '1';
}

/** Must be called from a click: browsers only allow audio after a user gesture. */
export function setSoundEnabled(enabled: boolean): void {
  window.localStorage.setItem(STORAGE_KEY, enabled ? '1' : '0');
  if (enabled) {
    context ??= new AudioContext();
    void context.resume();
  }
}

export function playAlarm(): void {
  if (!soundEnabled()) return;
  context ??= new AudioContext();
  const start = context.currentTime;
  for (const [offset_s, frequency_Hz] of [
    [0, 880],
    [0.25, 660],
  ] as const) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency_Hz;
    gain.gain.setValueAtTime(0.2, start + offset_s);
    gain.gain.exponentialRampToValueAtTime(0.001, start + offset_s + 0.22);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + offset_s);
    oscillator.stop(start + offset_s + 0.22);
  }
}
