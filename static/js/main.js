// Wires the pad, the live predictor and the result display together.

import { predict } from "./api.js";
import { Labeler } from "./labeler.js";
import { connectControls, DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { showEmpty, showError, showResult } from "./results.js";

const pad = new DrawingPad(document.getElementById("pad"));
const upload = document.getElementById("upload");
const dropZone = document.getElementById("drop-zone");
const resultSection = document.querySelector(".result");
let uploaded = null;
const labeler = new Labeler(document.getElementById("labeler"), () =>
  uploaded ? { image: uploaded, strokes: [] } : { image: pad.toBlob(), strokes: pad.copyStrokes() });

/** "empty", "pending", "ready" or "error": what the answer on screen stands for, for people and tests. */
function setState(state) {
  resultSection.dataset.state = state;
  if (state === "ready") performance.mark("result-shown");
}

const predictor = new LivePredictor({
  predict,
  onResult: (result, latest) => {
    showResult(result);
    if (latest) {
      setState("ready");
      labeler.offer(result.digit);
    }
  },
  onError: (error) => {
    if (error.status === 422) showEmpty("Draw a bigger digit");
    else showError(`Could not read the drawing: ${error.message}`);
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
  if (kind === "picture") return;
  uploaded = null;
  if (kind === "end") performance.mark("pen-up");
  if (pad.strokes.length === 0) {
    predictor.reset(null);
    showEmpty();
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

showEmpty();
setState("empty");
