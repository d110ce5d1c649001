// Keeps the answer in step with the drawing: at most one request in flight,
// a pause between requests while the pen moves, and an answer shown only if
// the drawing it was made for has not since been undone, cleared or replaced.
// An error is shown only for the drawing as it is now: one for an earlier
// state (a first dot too small to read) is dropped, as the newer drawing is
// on its way.

const MIN_INTERVAL_MS = 50;

export class LivePredictor {
  constructor({ predict, onResult, onError }) {
    this.predict = predict;
    this.onResult = onResult;
    this.onError = onError;
    this.version = 0;
    this.resetVersion = 0;
    this.shownVersion = 0;
    this.inFlight = false;
    this.pending = null;
    this.urgent = false;
    this.timer = null;
    this.lastSent = 0;
  }

  /** The drawing grew: ask again soon, or at once when the pen lifts (urgent). */
  grew(payload, urgent) {
    this.version += 1;
    this.pending = payload;
    this.urgent = this.urgent || urgent;
    this.#schedule();
  }

  /** The drawing changed in a way that makes any answer in flight wrong (undo, clear, a new picture). */
  reset(payload) {
    this.version += 1;
    this.resetVersion = this.version;
    this.pending = payload;
    this.urgent = true;
    if (payload) this.#schedule();
  }

  #schedule() {
    if (this.inFlight) return;
    const wait = this.urgent ? 0 : Math.max(0, this.lastSent + MIN_INTERVAL_MS - performance.now());
    if (wait === 0) this.#fire();
    else if (this.timer === null) this.timer = setTimeout(() => this.#fire(), wait);
  }

  #fire() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const payload = this.pending;
    this.pending = null;
    this.urgent = false;
    this.#send(payload, this.version);
  }

  async #send(payload, version) {
    this.inFlight = true;
    this.lastSent = performance.now();
    try {
      const body = await payload();
      const result = await this.predict(body);
      if (this.#isCurrent(version)) {
        this.shownVersion = version;
        this.onResult(result, version === this.version);
      }
    } catch (error) {
      if (version === this.version) this.onError(error);
    } finally {
      this.inFlight = false;
      if (this.pending) this.#schedule();
    }
  }

  #isCurrent(version) {
    return version >= this.resetVersion && version > this.shownVersion;
  }
}
