// The projector wall of a room: every drawing sent, live, with the model's answer; counts per digit and,
// for drawings sent with the digit they meant, accuracy and a confusion matrix. The presenter can hide a
// drawing and close the room. The wall follows the room through any failure (see follow.js).

import { ApiError, closeRoom, hideRoomDrawing, rememberAdminToken, setRoomPrompt } from "./api.js";
import { percent } from "./bars.js";
import { confusionRows } from "./confusion.js";
import { followRoom } from "./follow.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";

const MOST_SHOWN = 60;

const room = document.querySelector("[data-room]").dataset.room;
const grid = document.getElementById("wall-grid");
const count = document.getElementById("drawing-count");
const waiting = document.getElementById("wall-waiting");
const status = document.getElementById("wall-status");
const digitCounts = document.getElementById("digit-counts");
const accuracy = document.getElementById("labelled-accuracy");
const confusion = document.getElementById("wall-confusion");
const closeButton = document.getElementById("close-room");
const promptLine = document.getElementById("wall-prompt");
const promptChoice = document.getElementById("prompt-choice");
const tokenForm = document.getElementById("admin-token");
const tokenInput = document.getElementById("admin-token-input");

const drawings = new Map();
let renderQueued = false;
let retryAfterToken = null;

const stopFollowing = followRoom(room, {
  drawing(drawing) {
    drawings.set(drawing.id, drawing);
    queueRender();
  },
  hide({ id }) {
    drawings.delete(id);
    queueRender();
  },
  prompt({ digit }) {
    promptLine.hidden = digit === null;
    promptLine.textContent = digit === null ? "" : `Everyone draw a ${digit}`;
    promptChoice.value = digit === null ? "" : String(digit);
  },
  closed() {
    stopFollowing();
    promptChoice.disabled = true;
    status.textContent = "This room is closed.";
    closeButton.hidden = true;
  },
}, (trouble) => {
  if (trouble) status.textContent = "Reconnecting…";
  else if (status.textContent === "Reconnecting…") status.textContent = "";
});

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  const all = [...drawings.values()];
  count.textContent = `(${all.length})`;
  grid.replaceChildren(...all.slice(-MOST_SHOWN).reverse().map(card));
  waiting.hidden = all.length > 0;
  keepWhatFits();
  const digits = all.filter((drawing) => !drawing.not_a_digit);
  renderCounts(digits);
  renderAccuracy(digits.filter((drawing) => drawing.label !== null));
}

/** Hide the oldest cards that do not fit on the screen: nobody scrolls a projector. */
function keepWhatFits() {
  const bottom = grid.getBoundingClientRect().bottom;
  const items = [...grid.children];
  const firstCut = items.findIndex((item) => item.getBoundingClientRect().bottom > bottom + 1);
  if (firstCut >= 0) for (const item of items.slice(firstCut)) item.hidden = true;
}

window.addEventListener("resize", () => {
  for (const item of grid.children) item.hidden = false;
  keepWhatFits();
});

function card(drawing) {
  const item = document.createElement("li");
  item.dataset.id = String(drawing.id);
  const verdict = drawing.label === null || drawing.not_a_digit ? ""
    : drawing.label === drawing.digit ? " ✓" : ` ✗ meant ${drawing.label}`;
  const picture = document.createElement("img");
  picture.src = drawing.input;
  picture.width = 84;
  picture.height = 84;
  picture.alt = `Drawing ${drawing.id}`;
  const answer = document.createElement("p");
  answer.className = drawing.not_a_digit ? "wall-answer not-a-digit" : "wall-answer";
  answer.textContent = drawing.not_a_digit ? NOT_A_DIGIT : `${drawing.digit} · ${percent(drawing.confidence)}${verdict}`;
  const who = document.createElement("p");
  who.className = "wall-writer";
  who.textContent = drawing.writer || "";
  const hide = document.createElement("button");
  hide.type = "button";
  hide.className = "wall-hide";
  hide.textContent = "Hide";
  hide.setAttribute("aria-label", `Hide drawing ${drawing.id}`);
  hide.addEventListener("click", () => hideDrawing(drawing.id));
  item.append(picture, answer, who, hide);
  return item;
}

function renderCounts(all) {
  const perDigit = Array.from({ length: 10 }, (_, digit) => all.filter((d) => d.digit === digit).length);
  const most = Math.max(1, ...perDigit);
  digitCounts.replaceChildren(...perDigit.map((n, digit) => {
    const item = document.createElement("li");
    item.style.setProperty("--p", (n / most).toFixed(3));
    item.setAttribute("aria-label", `${digit}: ${n}`);
    item.innerHTML = `<span class="bar-label">${digit}</span><span class="bar-track" aria-hidden="true">` +
      `<span class="bar-fill"></span></span><span class="bar-value">${n}</span>`;
    return item;
  }));
}

function renderAccuracy(labelled) {
  if (labelled.length === 0) {
    accuracy.textContent = "No drawings with the digit they meant yet.";
    confusion.replaceChildren();
    return;
  }
  const right = labelled.filter((d) => d.digit === d.label).length;
  accuracy.textContent = `Read right: ${right} of ${labelled.length} drawings sent with the digit they meant ` +
    `(${Math.round((100 * right) / labelled.length)}%).`;
  confusion.innerHTML = confusionRows(labelled.map((d) => ({ meant: d.label, read: d.digit })), "Meant \\ read");
}

async function asPresenter(action) {
  try {
    await action();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      status.textContent = "Only the presenter can do that: enter the admin token the server was started with.";
      tokenForm.hidden = false;
      tokenInput.focus();
      retryAfterToken = action;
    } else {
      status.textContent = `Could not do that: ${error.message}`;
    }
    return false;
  }
}

function hideDrawing(id) {
  return asPresenter(() => hideRoomDrawing(room, id));
}

closeButton.addEventListener("click", () => {
  if (window.confirm(`Close room ${room}? Phones can no longer send drawings.`)) asPresenter(() => closeRoom(room));
});

promptChoice.addEventListener("change", () => {
  const digit = promptChoice.value === "" ? null : Number(promptChoice.value);
  asPresenter(() => setRoomPrompt(room, digit));
});

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  rememberAdminToken(tokenInput.value);
  tokenInput.value = "";
  tokenForm.hidden = true;
  status.textContent = "";
  if (retryAfterToken) asPresenter(retryAfterToken);
  retryAfterToken = null;
});
