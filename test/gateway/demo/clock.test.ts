import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock, VirtualClock, type Timers } from "../../../src/gateway/demo/clock";

const REAL0 = Date.UTC(2026, 10, 15, 12);
const DAY = 86_400_000;

/** A real clock and timers moved by hand: `advance` fires the timers that fall due, in order. */
function fakeReal() {
  let now = REAL0;
  let nextId = 0;
  const waiting = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      waiting.set(++nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimeout: (handle) => void waiting.delete(handle as number),
  };
  return {
    now: (): number => now,
    timers,
    set: (t: number): void => void (now = t),
    advance(ms: number): void {
      const end = now + ms;
      for (;;) {
        const due = [...waiting.entries()].filter(([, w]) => w.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        waiting.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = end;
    },
    /** The delays of the timers set and not yet fired. */
    pending: (): number[] => [...waiting.values()].map((w) => w.at - now),
  };
}

const settled = (p: Promise<unknown>): Promise<string> =>
  Promise.race([p.then(() => "resolved", (e: unknown) => `rejected: ${e instanceof Error ? e.name : String(e)}`), new Promise<string>((r) => setImmediate(() => r("pending")))]);

test("simulated time runs `speed` times faster than real time until it catches up, then at real speed", () => {
  const real = fakeReal();
  // 14 days behind at 1001x: 1000 simulated ms gained per real ms, so it catches up after 1,209,600 real ms.
  const start = REAL0 - 14 * DAY;
  const clock = new SimClock({ start, speed: 1001, realNow: real.now, timers: real.timers });
  assert.equal(clock.now(), start);
  assert.equal(clock.isLive(), false);
  real.advance(60_000);
  assert.equal(clock.now(), start + 60_060_000);
  assert.equal(clock.realTimeOf(start + 120_120_000), REAL0 + 120_000, "another minute of real time");
  assert.equal(clock.realTimeOf(start), REAL0 + 60_000, "a time passed already: now");
  real.advance(1_209_600 - 60_000);
  assert.equal(clock.now(), REAL0 + 1_209_600, "caught up: simulated time is real time");
  assert.equal(clock.isLive(), true);
  real.advance(5000);
  assert.equal(clock.now(), REAL0 + 1_214_600, "and then it runs at real speed, never past it");
  assert.equal(clock.realTimeOf(REAL0 + 2_000_000), REAL0 + 2_000_000);
});

test("a hold keeps simulated time from passing it, and time goes on from there without a jump", () => {
  const real = fakeReal();
  const start = REAL0 - 14 * DAY;
  const clock = new SimClock({ start, speed: 1000, realNow: real.now, timers: real.timers });
  clock.hold(start + 5_000);
  real.advance(60_000);
  assert.equal(clock.now(), start + 5_000, "held: the traffic is behind");
  clock.hold(Infinity);
  real.advance(1);
  assert.equal(clock.now(), start + 6_000, "one real ms later, 1,000 simulated ms on");
});

test("simulated time never goes back, even when the real clock is set back", () => {
  const real = fakeReal();
  const clock = new SimClock({ start: REAL0 - DAY, speed: 100, realNow: real.now, timers: real.timers });
  real.advance(1000);
  const before = clock.now();
  real.set(REAL0 - 5000);
  assert.equal(clock.now(), before);
});

test("a start after real time, a speed of 0 or a NaN start are errors that say so", () => {
  const real = fakeReal();
  assert.throws(() => new SimClock({ start: REAL0 + 1, speed: 10, realNow: real.now }), /SimClock: start 2026-11-15T12:00:00.001Z is after the real time 2026-11-15T12:00:00.000Z/);
  assert.throws(() => new SimClock({ start: REAL0, speed: 0, realNow: real.now }), /SimClock: speed must be a number above 0, got 0/);
  assert.throws(() => new SimClock({ start: NaN, speed: 1, realNow: real.now }), /SimClock: start must be a time in ms, got NaN/);
});

test("sleepUntil waits the real time the simulated time needs, fast while behind and real time once caught up", async () => {
  const real = fakeReal();
  // One day behind at 3601x: caught up after 24 real seconds.
  const clock = new SimClock({ start: REAL0 - DAY, speed: 3601, realNow: real.now, timers: real.timers });
  const woke = clock.sleepUntil(REAL0 - DAY + 3_600_000); // one simulated hour: one real second
  assert.deepEqual(real.pending(), [1000]);
  real.advance(999);
  assert.equal(await settled(woke), "pending");
  real.advance(1);
  assert.equal(await settled(woke), "resolved");
  assert.ok(clock.now() >= REAL0 - DAY + 3_600_000);

  // Past the catch-up point, the wait is in real time.
  const late = clock.sleepUntil(REAL0 + 30_000);
  assert.deepEqual(real.pending(), [30_000 - 1000]);
  real.advance(28_999);
  assert.equal(await settled(late), "pending");
  real.advance(1);
  assert.equal(await settled(late), "resolved");

  assert.equal(await settled(clock.sleepUntil(REAL0)), "resolved", "a time already passed resolves at once");
  assert.deepEqual(real.pending(), []);
});

test("sleepUntil rejects when its signal aborts, and clears its timer", async () => {
  const real = fakeReal();
  const clock = new SimClock({ start: REAL0 - DAY, speed: 10, realNow: real.now, timers: real.timers });
  const controller = new AbortController();
  const sleeping = clock.sleepUntil(REAL0, controller.signal);
  assert.equal(real.pending().length, 1);
  controller.abort();
  assert.equal(await settled(sleeping), "rejected: AbortError");
  assert.deepEqual(real.pending(), []);
  assert.equal(await settled(clock.sleepUntil(REAL0, controller.signal)), "rejected: AbortError", "an aborted signal rejects at once");
});

test("a VirtualClock stands still until slept on, then jumps; it never goes back", async () => {
  const clock = new VirtualClock(REAL0);
  assert.equal(clock.now(), REAL0);
  await clock.sleepUntil(REAL0 + DAY);
  assert.equal(clock.now(), REAL0 + DAY);
  await clock.sleepUntil(REAL0);
  assert.equal(clock.now(), REAL0 + DAY);
  clock.advance(5);
  assert.equal(clock.now(), REAL0 + DAY + 5);
  const controller = new AbortController();
  const forever = clock.sleepUntil(Infinity, controller.signal);
  assert.equal(await settled(forever), "pending");
  controller.abort();
  assert.equal(await settled(forever), "rejected: AbortError");
});
