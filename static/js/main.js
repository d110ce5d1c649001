// Wires the pad, the live predictor and the result display together.

import { predict } from "./api.js";
import { clearInside, INSIDE_OPTIONS, insidePending, isOpen, onOpen, showInside } from "./inside.js";
import { Labeler } from "./labeler.js";
import { connectControls, DrawingPad, whenFinished } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { setUpPresentation } from "./present.js";
import { showEmpty, showError, showResult } from "./results.js";
import { setUpRoomStarting } from "./start-room.js";
import { connectWriterField, currentWriter, forgetCurrentWriter, writerFields } from "./writer.js";

const pad = new DrawingPad(document.getElementById("pad"));
const upload = document.getElementById("upload");
const dropZone = document.getElementById("drop-zone");
const resultSection = document.querySelector(".result");
const adaptedNote = document.getElementById("adapted-note");
const forgetButton = document.getElementById("forget-me");
const writerStatus = document.getElementById("writer-status");
const writerInput = document.getElementById("writer");
let uploaded = null;
let finished = false;
const labeler = new Labeler(document.getElementById("labeler"), () => ({
  ...(uploaded ? { image: uploaded, strokes: [] } : { image: pad.toBlob(), strokes: pad.copyStrokes() }),
  writer: currentWriter(),
}));

/** "empty", "pending", "ready" or "error": what the answer on screen stands for, for people and tests. */
function setState(state) {
  resultSection.dataset.state = state;
  if (state === "pending") insidePending();
  if (state === "ready") performance.mark("result-shown");
}

const predictor = new LivePredictor({
  predict: (picture) => predict(picture, {
    ...writerFields(),
    ...(isOpen() ? INSIDE_OPTIONS : {}),
  }),
  onResult: (result, latest) => {
    showResult(result);
    showAdaptation(result);
    showInside(result);
    if (latest) {
      setState("ready");
      if (finished) labeler.offer();
    }
  },
  onError: (error) => {
    if (error.status === 422) showEmpty("Draw a bigger digit");
    else showError(`Could not read the drawing: ${error.message}`);
    clearInside("Nothing to look inside: the model could not read the drawing.");
    setState("error");
  },
});

connectControls(pad, {
  undo: document.getElementById("undo"),
  clear: document.getElementById("clear"),
  hint: document.getElementById("pad-hint"),
});

pad.addEventListener("change", ({ detail: { kind } }) => {
  labeler.withdraw();
  finished = kind === "picture";
  if (kind === "picture") return;
  uploaded = null;
  if (kind === "end") performance.mark("pen-up");
  if (pad.strokes.length === 0) {
    predictor.reset(null);
    showEmpty();
    clearInside("Draw a digit to look inside.");
    setState("empty");
    return;
  }
  setState("pending");
  if (kind === "extend" || kind === "end") {
    predictor.grew(() => pad.toBlob(), kind === "end");
  } else {
    predictor.reset(() => pad.toBlob());
  }
});

async function usePicture(file) {
  if (!file || !file.type.startsWith("image/")) {
    showError("That file is not an image.");
    setState("error");
    return;
  }
  try {
    pad.showPicture(await createImageBitmap(file));
  } catch {
    showError("That image could not be opened.");
    setState("error");
    return;
  }
  uploaded = file;
  setState("pending");
  predictor.reset(async () => file);
}

upload.addEventListener("change", () => {
  usePicture(upload.files[0]);
  upload.value = "";
});

dropZone.addEventListener("dragover", (event) => {
  event.preventDefault();
  dropZone.classList.add("dragging");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropZone.classList.remove("dragging");
  usePicture(event.dataTransfer.files[0]);
});

/** Whose handwriting the answer is adapted to, and what the general model reads when that differs. */
function showAdaptation(result) {
  adaptedNote.hidden = !result.adapted;
  if (!result.adapted) return;
  const drawings = `${result.writer_samples} drawing${result.writer_samples === 1 ? "" : "s"}`;
  const general = result.general.digit === result.digit ? "" : `; the general model reads ${result.general.digit}`;
  adaptedNote.textContent = `Adapted to ${result.writer} (${drawings})${general}.`;
}

/** Ask again for what is on the pad, after the writer changed. */
function readAgain() {
  if (uploaded) predictor.reset(async () => uploaded);
  else if (pad.strokes.length) predictor.reset(() => pad.toBlob());
}

function writerChanged() {
  forgetButton.hidden = currentWriter() === "";
  writerStatus.textContent = "";
  adaptedNote.hidden = true;
  readAgain();
}

connectWriterField(writerInput, writerChanged);

/** The save row is offered once a drawing is finished: the pen has rested, not between two strokes of a digit. */
whenFinished(pad, () => {
  finished = true;
  if (resultSection.dataset.state === "ready") labeler.offer();
});

forgetButton.addEventListener("click", async () => {
  const writer = currentWriter();
  if (!writer || !window.confirm(`Delete every drawing saved as ${writer}?`)) return;
  try {
    const forgotten = await forgetCurrentWriter();
    writerInput.value = "";
    writerChanged();
    writerStatus.textContent = `Forgot ${writer}: ${forgotten} drawing${forgotten === 1 ? "" : "s"} deleted, and the ` +
      "name and its key are gone from this browser.";
  } catch (error) {
    writerStatus.textContent = error.status === 403
      ? `This browser does not hold ${writer}'s key: only the browser that first saved as ${writer} can forget them.`
      : `Could not forget ${writer}: ${error.message}`;
  }
});

forgetButton.hidden = currentWriter() === "";

onOpen(() => {
  if (resultSection.dataset.state === "empty") return;
  setState("pending");
  readAgain();
});

setUpPresentation();
setUpRoomStarting();
showEmpty();
clearInside("Draw a digit to look inside.");
setState("empty");
