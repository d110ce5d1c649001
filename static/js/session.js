// Test sessions: ask for digits in a shuffled order, record each attempt, keep score, export CSV.
// In teach mode the drawings are saved under the writer's name first, then a test round of one
// of each digit scores the general model and the model adapted to them on the same drawings.

import { ApiError, predict, saveSample } from "./api.js";
import { confusionRows, digits } from "./confusion.js";
import { connectControls, DrawingPad } from "./pad.js";
import { connectWriterField, currentWriter } from "./writer.js";

const PAUSE_BEFORE_RECORDING_MS = 1200;
const HAS_OWN_ENTER = "a[href], button, input, select, textarea, [contenteditable]";

const pad = new DrawingPad(document.getElementById("pad"));
const setup = document.getElementById("setup");
const prompt = document.getElementById("prompt");
const nextButton = document.getElementById("next");
const progress = document.getElementById("progress");
const accuracy = document.getElementById("accuracy");
const lastAttempt = document.getElementById("last-attempt");
const perDigitTable = document.getElementById("per-digit");
const confusionTable = document.getElementById("confusion");
const download = document.getElementById("download-csv");
const teachScore = document.getElementById("teach-score");

let queue = [];
let attempts = [];
let total = 0;
let saveDrawings = true;
let pauseTimer = null;
let recording = false;
let mode = "test";
let writer = "";

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function start(repeats) {
  writer = currentWriter();
  const teach = document.getElementById("teach").checked;
  if (teach && !writer) {
    prompt.textContent = "Type your name in “Who's drawing?” first: your drawings are saved under it.";
    return;
  }
  mode = teach ? "teach" : "test";
  saveDrawings = teach || document.getElementById("save-drawings").checked;
  teachScore.hidden = true;
  begin(shuffled(Array.from({ length: 10 * repeats }, (_, i) => i % 10)));
}

function begin(digitsToAsk) {
  queue = digitsToAsk;
  total = queue.length;
  attempts = [];
  pad.clear();
  render();
  ask();
}

function ask() {
  if (queue.length === 0 && mode === "teach") {
    mode = "check";
    begin(shuffled(Array.from({ length: 10 }, (_, i) => i)));
    return;
  }
  if (queue.length === 0) {
    prompt.textContent = `Done: ${summaryText()}. Press Start for another session.`;
    if (mode === "check") showTeachScore();
    document.body.dataset.session = "done";
    return;
  }
  const step = { teach: `Teaching, ${writer}: draw a`, check: "Test round: draw a", test: "Draw a" }[mode];
  prompt.textContent = `${step} ${queue[0]}`;
  document.body.dataset.session = mode === "test" ? "asking" : mode;
}

function showTeachScore() {
  const general = attempts.filter((a) => a.general === a.asked).length;
  const adapted = attempts.filter((a) => a.read === a.asked).length;
  teachScore.textContent = `Before adapting: ${general} of ${attempts.length} read right. ` +
    `Adapted to ${writer}: ${adapted} of ${attempts.length}.`;
  teachScore.hidden = false;
}

async function record() {
  clearTimeout(pauseTimer);
  if (recording || queue.length === 0 || pad.strokes.length === 0) return;
  recording = true;
  const asked = queue[0];
  const strokes = pad.copyStrokes();
  const image = await pad.toBlob();
  try {
    const answer = await predict(image, mode === "check" && writer ? { writer } : {});
    if (mode === "teach") await saveSample(image, asked, strokes, writer);
    attempts.push({ asked, read: answer.digit, confidence: answer.confidence, probabilities: answer.probabilities,
                    general: (answer.general || answer).digit, time: new Date().toISOString() });
    lastAttempt.textContent = answer.digit === asked ? `✓ ${asked} read correctly` : `✗ ${asked} read as ${answer.digit}`;
    if (mode === "test" && saveDrawings) saveSample(image, asked, strokes).catch((error) => {
      lastAttempt.textContent += ` (not saved: ${error.message})`;
    });
    queue.shift();
    pad.clear();
    render();
    ask();
  } catch (error) {
    lastAttempt.textContent = error instanceof ApiError && error.status === 422
      ? "That was too small to read: draw it again." : `Could not read it: ${error.message}`;
  } finally {
    recording = false;
  }
}

function summaryText() {
  const right = attempts.filter((a) => a.asked === a.read).length;
  return `${right} of ${attempts.length} read correctly (${Math.round((100 * right) / attempts.length)}%)`;
}

function render() {
  progress.textContent = attempts.length ? `Attempt ${attempts.length} of ${total}:` : `0 of ${total} attempts.`;
  accuracy.textContent = attempts.length ? summaryText() : "";
  renderPerDigit();
  renderConfusion();
  download.hidden = attempts.length === 0;
  if (attempts.length) download.href = `data:text/csv;charset=utf-8,${encodeURIComponent(csv())}`;
}

function renderPerDigit() {
  const header = "<tr><th scope=\"row\">Digit</th>" + digits((d) => `<th scope="col">${d}</th>`) + "</tr>";
  const cells = digits((d) => {
    const mine = attempts.filter((a) => a.asked === d);
    const right = mine.filter((a) => a.read === d).length;
    return `<td>${mine.length ? `${right}/${mine.length}` : "–"}</td>`;
  });
  perDigitTable.innerHTML = `${header}<tr><th scope="row">Read right</th>${cells}</tr>`;
}

function renderConfusion() {
  confusionTable.innerHTML = confusionRows(attempts.map((a) => ({ meant: a.asked, read: a.read })), "Asked \\ read");
}

function csv() {
  const head = ["attempt", "asked", "read", "correct", "confidence",
    ...Array.from({ length: 10 }, (_, d) => `p${d}`), "time"];
  const lines = attempts.map((a, i) => [i + 1, a.asked, a.read, a.asked === a.read, a.confidence.toFixed(4),
    ...a.probabilities.map((p) => p.toFixed(4)), a.time].join(","));
  return [head.join(","), ...lines].join("\n") + "\n";
}

setup.addEventListener("submit", (event) => {
  event.preventDefault();
  start(Number(document.getElementById("repeats").value));
});

connectControls(pad, {
  undo: document.getElementById("undo"),
  clear: document.getElementById("clear"),
  hint: document.getElementById("pad-hint"),
});

pad.addEventListener("change", ({ detail: { kind } }) => {
  nextButton.disabled = pad.isEmpty || queue.length === 0;
  clearTimeout(pauseTimer);
  if (kind === "end" && queue.length) pauseTimer = setTimeout(record, PAUSE_BEFORE_RECORDING_MS);
});

nextButton.addEventListener("click", record);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || queue.length === 0 || hasOwnEnter(event.target)) return;
  event.preventDefault();
  record();
});

/** Whether Enter already means something on this element (follow a link, press a button, submit, type). */
function hasOwnEnter(element) {
  return element instanceof Element && element.closest(HAS_OWN_ENTER) !== null;
}

connectWriterField(document.getElementById("writer"));
render();
