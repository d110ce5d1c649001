// Test sessions: ask for digits in a shuffled order, record each attempt, keep score, export CSV.
// Teach mode (/session?teach) saves the drawings under the writer's name first, then, after a hand-over
// the writer starts, a test round of one of each digit reads every drawing with the general model and
// adapted to them, and a table shows per digit what adapting changed.
//
// An attempt is recorded on Next / Enter or once the pen has rested (FINISHED_AFTER_MS), so a digit drawn
// in several strokes is never cut in two. Its drawing is saved only when the next attempt is recorded or
// the round ends, so that Retake can replace it without leaving a drawing behind.

import { ApiError, predict, saveSample } from "./api.js";
import { confusionRows, digits } from "./confusion.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";
import { connectControls, DrawingPad, whenFinished } from "./pad.js";
import { connectWriterField, currentWriter, saveAsWriter, writerFields } from "./writer.js";

const HAS_OWN_ENTER = "a[href], button, input, select, textarea, [contenteditable]";
const TEACH_PAGE = document.querySelector(".session").dataset.mode === "teach";

const pad = new DrawingPad(document.getElementById("pad"));
const setup = document.getElementById("setup");
const prompt = document.getElementById("prompt");
const nextButton = document.getElementById("next");
const retakeButton = document.getElementById("retake");
const progress = document.getElementById("progress");
const accuracy = document.getElementById("accuracy");
const lastAttempt = document.getElementById("last-attempt");
const perDigitTable = document.getElementById("per-digit");
const confusionTable = document.getElementById("confusion");
const download = document.getElementById("download-csv");
const handover = document.getElementById("handover");
const teachResult = document.getElementById("teach-result");

let queue = [];
let attempts = [];
let total = 0;
let unsaved = null;
let retakable = false;
let saving = Promise.resolve(true);
let recording = false;
let mode = "idle";
let writer = "";

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

const eachDigit = (times) => shuffled(Array.from({ length: 10 * times }, (_, i) => i % 10));

function start(repeats) {
  writer = currentWriter();
  if (TEACH_PAGE && !writer) {
    prompt.textContent = "Type your name in “Who's drawing?” first: your drawings are saved under it.";
    return;
  }
  unsaved = null;
  retakable = false;
  saving = Promise.resolve(true);
  handover.hidden = true;
  if (teachResult) teachResult.hidden = true;
  mode = TEACH_PAGE ? "teach" : "test";
  begin(eachDigit(repeats));
}

function begin(digitsToAsk) {
  queue = digitsToAsk;
  total = queue.length;
  attempts = [];
  lastAttempt.textContent = "";
  pad.clear();
  render();
  ask();
}

function ask() {
  if (queue.length === 0) {
    finishRound();
    return;
  }
  const step = { teach: `Teaching, ${writer}: draw a`, check: "Test round: draw a", test: "Draw a" }[mode];
  prompt.textContent = `${step} ${queue[0]}`;
  setState(mode === "test" ? "asking" : mode);
}

/** For people and tests: "idle", "asking", "teach", "handover", "check" or "done". */
function setState(state) {
  document.body.dataset.session = state;
  retakeButton.disabled = !canRetake();
}

function canRetake() {
  return retakable && ["asking", "teach", "check", "handover"].includes(document.body.dataset.session);
}

function finishRound() {
  if (mode === "teach") {
    prompt.textContent = "Teaching round done.";
    handover.querySelector("#handover-text").textContent = `You drew ${attempts.length} digits as ${writer}. ` +
      "Retake the last one if you like; then a test round asks for one of each digit, and the results start again.";
    handover.hidden = false;
    setState("handover");
    document.getElementById("start-check").focus();
    return;
  }
  saveUnsaved();
  prompt.textContent = `Done: ${summaryText()}. Press Start for another session.`;
  if (mode === "check") showTeachResult();
  setState("done");
}

async function startCheckRound() {
  handover.hidden = true;
  prompt.textContent = "Saving your drawings…";
  if (!(await saveUnsaved())) return;
  mode = "check";
  begin(shuffled(Array.from({ length: 10 }, (_, i) => i)));
}

/** Save the attempt Retake could still replace, after the saves before it; false (and the page says why)
 * when it could not be saved and the round cannot go on. */
function saveUnsaved() {
  const attempt = unsaved;
  unsaved = null;
  retakable = false;
  retakeButton.disabled = true;
  return attempt === null ? saving : saveInTurn(attempt);
}

/** Saves go one after another: the first save under a new name must be answered (with its key) before the next. */
function saveInTurn(attempt) {
  saving = saving.then(() => saveAttempt(attempt));
  return saving;
}

async function saveAttempt(attempt) {
  try {
    if (attempt.mode === "teach") await saveAsWriter(attempt.image, attempt.asked, attempt.strokes);
    else await saveSample(attempt.image, attempt.asked, attempt.strokes);
    return true;
  } catch (error) {
    const taken = error instanceof ApiError && error.status === 403;
    lastAttempt.textContent = taken
      ? `The name ${writer} belongs to someone else on this server: choose another name and start again.`
      : `Your drawing of ${attempt.asked} was not saved: ${error.message}`;
    if (attempt.mode !== "teach") return true;
    stop();
    return false;
  }
}

function stop() {
  queue = [];
  mode = "idle";
  handover.hidden = true;
  prompt.textContent = "Stopped. Press Start teaching to try again.";
  setState("idle");
}

async function record() {
  if (recording || queue.length === 0 || pad.strokes.length === 0) return;
  recording = true;
  const asked = queue[0];
  const strokes = pad.copyStrokes();
  const image = await pad.toBlob();
  try {
    const answer = await predict(image, mode === "check" ? writerFields() : {});
    if (answer.not_a_digit) {
      lastAttempt.textContent = `${NOT_A_DIGIT}: draw the ${asked} again.`;
      pad.clear();
      return;
    }
    const previous = unsaved;
    unsaved = mode === "check" || (mode === "test" && !document.getElementById("save-drawings").checked)
      ? null : { mode, asked, strokes, image };
    if (previous) saveInTurn(previous);
    retakable = true;
    attempts.push({ asked, read: answer.digit, confidence: answer.confidence, probabilities: answer.probabilities,
                    general: (answer.general || answer).digit, time: new Date().toISOString() });
    lastAttempt.textContent = answer.digit === asked ? `✓ ${asked} read correctly` : `✗ ${asked} read as ${answer.digit}`;
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

/** Take the last attempt back: its digit is asked again and its drawing is never saved. */
function retake() {
  if (!canRetake()) return;
  const attempt = attempts.pop();
  unsaved = null;
  retakable = false;
  queue.unshift(attempt.asked);
  handover.hidden = true;
  lastAttempt.textContent = `Attempt ${attempts.length + 1} taken back: draw the ${attempt.asked} again.`;
  pad.clear();
  render();
  ask();
}

function summaryText() {
  const right = attempts.filter((a) => a.asked === a.read).length;
  return `${right} of ${attempts.length} read correctly (${Math.round((100 * right) / attempts.length)}%)`;
}

/** The test round's payoff: per digit, what the general model read and what the adapted one read. */
function showTeachResult() {
  const general = attempts.filter((a) => a.general === a.asked).length;
  const adapted = attempts.filter((a) => a.read === a.asked).length;
  const fixed = attempts.filter((a) => a.general !== a.asked && a.read === a.asked).map((a) => a.asked);
  const broken = attempts.filter((a) => a.general === a.asked && a.read !== a.asked).map((a) => a.asked);
  document.getElementById("teach-score").textContent = `Before adapting: ${general} of ${attempts.length} read right. ` +
    `Adapted to ${writer}: ${adapted} of ${attempts.length}. ` +
    (fixed.length ? `Adapting fixed ${fixed.sort().join(", ")}. ` : "Adapting fixed no digit. ") +
    (broken.length ? `It got ${broken.sort().join(", ")} wrong that the general model read right.` : "");
  const rows = [...attempts].sort((a, b) => a.asked - b.asked).map((a) => {
    const change = a.general === a.read ? "same" : a.read === a.asked ? "fixed" : a.general === a.asked ? "broken" : "changed";
    return `<tr class="${change}"><th scope="row">${a.asked}</th><td>${mark(a.general, a.asked)}</td>` +
      `<td>${mark(a.read, a.asked)}</td><td>${{ same: "–", fixed: "fixed", broken: "made wrong", changed: "still wrong" }[change]}</td></tr>`;
  });
  document.getElementById("before-after").innerHTML = "<tr><th scope=\"col\">You drew</th>" +
    "<th scope=\"col\">General model read</th><th scope=\"col\">Adapted to you read</th>" +
    `<th scope="col">What adapting changed</th></tr>${rows.join("")}`;
  teachResult.hidden = false;
}

const mark = (read, asked) => `${read} ${read === asked ? "✓" : "✗"}`;

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

pad.addEventListener("change", () => {
  nextButton.disabled = pad.isEmpty || queue.length === 0;
});
whenFinished(pad, () => {
  if (queue.length) record();
});

nextButton.addEventListener("click", record);
retakeButton.addEventListener("click", retake);
document.getElementById("start-check")?.addEventListener("click", startCheckRound);
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
setState("idle");
render();
