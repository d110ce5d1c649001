// Wires the pad, the live predictor and the result display together.

import { DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { showEmpty, showError, showResult } from "./results.js";

const pad = new DrawingPad(document.getElementById("pad"));
const undoButton = document.getElementById("undo");
const clearButton = document.getElementById("clear");
const upload = document.getElementById("upload");
const dropZone = document.getElementById("drop-zone");
const hint = document.getElementById("pad-hint");
const resultSection = document.querySelector(".result");

/** "empty", "pending", "ready" or "error": what the answer on screen stands for, for people and tests. */
function setState(state) {
  resultSection.dataset.state = state;
  if (state === "ready") performance.mark("result-shown");
}

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function predict(body) {
  const response = await fetch("/api/predict", {
    method: "POST",
    headers: { "Content-Type": body.type || "image/png" },
    body,
  });
  const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) throw new ApiError(answer.error || `the server answered ${response.status}`, response.status);
  return answer;
}

const predictor = new LivePredictor({
  predict,
  onResult: (result, latest) => {
    showResult(result);
    if (latest) setState("ready");
  },
  onError: (error) => {
    if (error.status === 422) showEmpty("Draw a bigger digit");
    else showError(`Could not read the drawing: ${error.message}`);
    setState("error");
  },
});

pad.addEventListener("change", ({ detail: { kind } }) => {
  undoButton.disabled = pad.strokes.length === 0;
  clearButton.disabled = pad.isEmpty;
  hint.hidden = !pad.isEmpty;
  if (kind === "picture") return;
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

undoButton.addEventListener("click", () => pad.undo());
clearButton.addEventListener("click", () => pad.clear());

document.addEventListener("keydown", (event) => {
  if (event.target instanceof HTMLInputElement) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    pad.undo();
  } else if (event.key === "Escape" || event.key === "Delete") {
    pad.clear();
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
fetch("/api/health")
  .then((response) => response.json())
  .then(({ model }) => {
    document.getElementById("model-name").textContent = model;
  })
  .catch(() => {});
