/**
 * Simulated time for the demo. A demo replays the past (say 14 days) in minutes and then goes on
 * live, so the clock runs `speed` times faster than real time until it catches up with the real
 * clock, and at real speed from then on. It never passes real time: Prometheus refuses samples
 * from the future, and "now" in a report must mean now.
 *
 * The gateway, the traffic and the scenario's schedule all read the one clock, so logs, metrics
 * and the facts a scenario plants agree on when things happened.
 */

/** What the demo's parts need of a clock: its time, and a way to wait for a time. */
export interface Clock {
  /** Milliseconds since the epoch; never decreases. */
  now(): number;
  /** Resolves once `now() >= time`; rejects with the signal's reason when it aborts first. */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
  /**
   * Keeps time from passing `time` until told otherwise (Infinity): the traffic holds the clock at
   * its next request, so that when the machine cannot keep up, simulated time waits for the
   * traffic instead of running ahead of it and stamping requests late.
   */
  hold?(time: number): void;
}

/** The timer functions SimClock uses, injectable so tests can drive real time by hand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SimClockOptions {
  /** Simulated time at the clock's creation, ms since the epoch; not after real time. */
  readonly start: number;
  /** Simulated milliseconds per real millisecond while behind real time, > 0. */
  readonly speed: number;
  /** The real clock. Default Date.now. */
  readonly realNow?: () => number;
  /** Default the global setTimeout and clearTimeout. */
  readonly timers?: Timers;
}

/** The longest a Node timer can wait (2^31 - 1 ms); longer sleeps wake and wait again. */
const MAX_TIMER_MS = 2_147_483_647;

const REAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

export class SimClock implements Clock {
  readonly start: number;
  readonly speed: number;
  private readonly realNow: () => number;
  private readonly timers: Timers;
  private last: number;
  private lastReal: number;
  private limit = Infinity;

  constructor(options: SimClockOptions) {
    const { start, speed } = options;
    this.realNow = options.realNow ?? Date.now;
    this.timers = options.timers ?? REAL_TIMERS;
    this.lastReal = this.realNow();
    if (!Number.isFinite(start)) throw new Error(`SimClock: start must be a time in ms, got ${start}`);
    if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`SimClock: speed must be a number above 0, got ${speed}`);
    if (start > this.lastReal) {
      throw new Error(`SimClock: start ${iso(start)} is after the real time ${iso(this.lastReal)}; simulated time never passes real time`);
    }
    this.start = start;
    this.speed = speed;
    this.last = start;
  }

  /**
   * Time advances by `speed` times the real time since the last reading, up to the hold and never
   * past real time; so after a hold it goes on from where it stood, without a jump.
   */
  now(): number {
    const real = this.realNow();
    const t = Math.min(this.last + Math.max(0, real - this.lastReal) * this.speed, this.limit, real);
    this.lastReal = Math.max(this.lastReal, real);
    // A real clock stepped back (NTP) must not take simulated time back with it.
    if (t > this.last) this.last = t;
    return this.last;
  }

  hold(time: number): void {
    this.now();
    this.limit = time;
  }

  /** Whether simulated time has caught up with real time, and so runs at real speed. */
  isLive(): boolean {
    return this.now() >= this.realNow();
  }

  /** The real time at which simulated time reaches `time`, if nothing holds it. */
  realTimeOf(time: number): number {
    const now = this.now();
    if (time <= now) return this.lastReal;
    return Math.max(this.lastReal + (time - now) / this.speed, time);
  }

  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let handle: unknown;
      const onAbort = (): void => {
        this.timers.clearTimeout(handle);
        reject(signal!.reason);
      };
      // Timers fire late or (rounded) early: check the clock itself, and wait again if early.
      const check = (): void => {
        if (this.now() >= time) {
          signal?.removeEventListener("abort", onAbort);
          return resolve();
        }
        const wait = Math.ceil(this.realTimeOf(time) - this.realNow());
        handle = this.timers.setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(1, wait)));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }
}

/**
 * A clock for tests and batch runs, where nothing waits: time stands still until someone sleeps,
 * then jumps to the time they asked for (after letting pending I/O run once). It serves one
 * sleeper at a time, such as one traffic run; two sleepers would each jump it to their own time.
 */
export class VirtualClock implements Clock {
  private time: number;

  constructor(start: number) {
    if (!Number.isFinite(start)) throw new Error(`VirtualClock: start must be a time in ms, got ${start}`);
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Moves time on by `ms` (never back). */
  advance(ms: number): void {
    if (ms > 0) this.time += ms;
  }

  async sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw signal.reason;
    if (Number.isFinite(time)) {
      if (time > this.time) this.time = time;
      return;
    }
    // Forever: only an abort ends the wait.
    await new Promise<void>((_resolve, reject) => {
      if (!signal) return;
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
}
