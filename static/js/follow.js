// Follows a room's event stream and never gives up on it. The server ends most streams at once (short polls)
// and the browser asks again from its last event; when a stream fails for good (a 503 during a database
// outage, a server restart), the browser's EventSource stops, so this opens a new one, with backoff, after
// the last event it saw.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 15000;

/**
 * Call `handlers[kind](data)` for each event of the room; `onTrouble(true)` once the stream keeps failing and
 * `onTrouble(false)` when it is back. Returns a function that stops following.
 */
export function followRoom(room, handlers, onTrouble) {
  let lastId = "0";
  let source = null;
  let failures = 0;
  let delay = FIRST_DELAY_MS;
  let timer = null;
  let stopped = false;

  function connect() {
    source = new EventSource(`/api/rooms/${encodeURIComponent(room)}/events?after=${encodeURIComponent(lastId)}`);
    source.addEventListener("open", () => {
      failures = 0;
      delay = FIRST_DELAY_MS;
      onTrouble(false);
    });
    for (const [kind, handle] of Object.entries(handlers)) {
      source.addEventListener(kind, (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        handle(JSON.parse(event.data));
      });
    }
    source.addEventListener("error", () => {
      failures += 1;
      // Each short poll ends with one error and an immediate reconnection: only repeated ones are trouble.
      if (failures > 1 || source.readyState === EventSource.CLOSED) onTrouble(true);
      if (source.readyState === EventSource.CLOSED && !stopped) {
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, LONGEST_DELAY_MS);
      }
    });
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    source.close();
  };
}
