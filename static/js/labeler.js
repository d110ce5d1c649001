// Save a finished drawing to the lab as the digit its writer meant (buttons, or the keys 0-9 when the page is set
// to labelling). The buttons are all alike, so that none reads as "yes, the model is right".

import { saveSample } from "./api.js";
import { saveAsWriter } from "./writer.js";

/** The server reads pictures at no more than this many pixels a side (WORKING_SIZE in recognition/preprocess.py). */
const LARGEST_SIDE = 560;
const TOUCH = window.matchMedia("(pointer: coarse)").matches;

export class Labeler {
  /** source() returns {image: Promise<Blob>|Blob, strokes, writer} for what is on the pad now. */
  constructor(element, source) {
    this.element = element;
    this.source = source;
    this.status = element.querySelector("#save-status");
    this.keysSave = element.querySelector("#labelling");
    this.buttons = [...element.querySelectorAll("button[data-label]")];
    element.querySelector("#labeler-prompt").textContent = TOUCH
      ? "Want to help the lab? Tap the digit you drew to save this drawing."
      : "Want to help the lab? Click the digit you drew to save this drawing.";
    this.keysSave.closest("label").hidden = TOUCH;
    for (const button of this.buttons) {
      button.addEventListener("click", () => this.save(Number(button.dataset.label)));
    }
    document.addEventListener("keydown", (event) => {
      if (this.element.hidden || !this.keysSave.checked || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typesText(event.target)) return;
      if (/^[0-9]$/.test(event.key)) this.save(Number(event.key));
    });
  }

  /** Show the row for a finished drawing. */
  offer() {
    this.element.hidden = false;
    this.status.textContent = "";
    this.saved = false;
    for (const button of this.buttons) button.disabled = false;
  }

  withdraw() {
    this.element.hidden = true;
  }

  async save(label) {
    if (this.saved) return;
    this.saved = true;
    for (const button of this.buttons) button.disabled = true;
    this.status.textContent = "Saving…";
    try {
      const { image, strokes, writer } = this.source();
      const picture = await scaledForSaving(await image);
      const { id, prediction } = writer ? await saveAsWriter(picture, label, strokes)
        : await saveSample(picture, label, strokes);
      const verdict = prediction === label ? "the model got it right" : `the model read ${prediction}`;
      const whose = writer ? ` for ${writer}` : "";
      this.status.innerHTML = "";
      this.status.append(`Saved as ${label}${whose} (#${id}, ${verdict}). `, link("See saved drawings", "/samples"));
    } catch (error) {
      this.saved = false;
      for (const button of this.buttons) button.disabled = false;
      this.status.textContent = `Not saved: ${error.message}`;
    }
  }
}

/**
 * A picture larger than the server reads, turned upright and scaled down to that size as PNG, so that
 * a photo of several MB fits in a save; smaller pictures (the pad's) are sent as they are.
 */
async function scaledForSaving(image) {
  const bitmap = await createImageBitmap(image, { imageOrientation: "from-image" });
  const scale = LARGEST_SIDE / Math.max(bitmap.width, bitmap.height);
  if (scale >= 1) {
    bitmap.close();
    return image;
  }
  const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.convertToBlob({ type: "image/png" });
}

/** Whether keys typed on this element are text (a name, a choice), not a label for the drawing. */
function typesText(element) {
  return element instanceof HTMLSelectElement
    || (element instanceof HTMLInputElement && !["checkbox", "radio", "button"].includes(element.type));
}

function link(text, href) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}
