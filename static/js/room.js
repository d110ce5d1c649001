// The phone page of a room: draw, optionally say who you are and what you drew, send it to the wall.

import { ApiError, roomStatus, sendToRoom } from "./api.js";
import { percent } from "./bars.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";
import { connectControls, DrawingPad } from "./pad.js";
import { connectWriterField, keepKey, writerFields } from "./writer.js";

const CLIENT_KEY = "digitpad-client-id";
const STATUS_EVERY_MS = 5000;

const room = document.querySelector("[data-room]").dataset.room;
const status = document.getElementById("room-status");
const sendButton = document.getElementById("send");

/** A random id this phone keeps, so that a class behind one router is not limited as one phone. */
function clientId() {
  let id = localStorage.getItem(CLIENT_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(CLIENT_KEY, id);
  }
  return id;
}

if (sendButton) {
  const pad = new DrawingPad(document.getElementById("pad"));
  const label = document.getElementById("label");
  connectControls(pad, {
    undo: document.getElementById("undo"),
    clear: document.getElementById("clear"),
    hint: document.getElementById("pad-hint"),
  });
  connectWriterField(document.getElementById("writer"));
  pad.addEventListener("change", () => {
    sendButton.disabled = pad.isEmpty;
  });

  const closed = () => {
    clearInterval(watch);
    sendButton.disabled = true;
    pad.addEventListener("change", () => { sendButton.disabled = true; });
    status.textContent = "This room is closed. Thank you for drawing!";
  };
  const promptLine = document.getElementById("room-prompt");
  let prompted = null;
  const follow = async () => {
    const answer = await roomStatus(room).catch(() => null);
    if (answer === null) return;
    if (!answer.open) closed();
    if (answer.prompt !== prompted) {
      prompted = answer.prompt;
      promptLine.hidden = prompted === null;
      promptLine.textContent = prompted === null ? "" : `Everyone draw a ${prompted}`;
      if (prompted !== null) label.value = String(prompted);
    }
  };
  const watch = setInterval(follow, STATUS_EVERY_MS);
  follow();

  sendButton.addEventListener("click", async () => {
    sendButton.disabled = true;
    status.textContent = "Sending…";
    try {
      const drawing = { image: await pad.toBlob(), strokes: pad.copyStrokes(),
                        label: label.value === "" ? null : Number(label.value), who: writerFields() };
      const answer = await sendToRoom(room, drawing, clientId());
      keepKey(drawing.who, answer);
      status.textContent = answer.not_a_digit ? `Sent! ${NOT_A_DIGIT}, says the model: draw one digit, 0 to 9.`
        : `Sent! The model read ${answer.digit} (${percent(answer.confidence)} sure).`;
      pad.clear();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        closed();
        return;
      }
      status.textContent = `Not sent: ${error.message}`;
      sendButton.disabled = pad.isEmpty;
    }
  });
}
