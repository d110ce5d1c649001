// Confirm or correct an answer and save the drawing with its true digit (buttons or the keys 0-9).

import { saveSample } from "./api.js";

/** The server reads pictures at no more than this many pixels a side (WORKING_SIZE in recognition/preprocess.py). */
const LARGEST_SIDE = 560;

export class Labeler {
  /** source() returns {image: Promise<Blob>|Blob, strokes, writer} for what is on the pad now. */
  constructor(element, source) {
    this.element = element;
    this.source = source;
    this.status = element.querySelector("#save-status");
    this.buttons = [...element.querySelectorAll("button[data-label]")];
    for (const button of this.buttons) {
      button.addEventListener("click", () => this.save(Number(button.dataset.label)));
    }
    document.addEventListener("keydown", (event) => {
      if (this.element.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
      if (/^[0-9]$/.test(event.key)) this.save(Number(event.key));
    });
  }

  offer(predicted) {
    this.element.hidden = false;
    this.status.textContent = "";
    this.saved = false;
    for (const button of this.buttons) {
      button.classList.toggle("suggested", Number(button.dataset.label) === predicted);
      button.disabled = false;
    }
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
      const { id, prediction } = await saveSample(await scaledForSaving(await image), label, strokes, writer);
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

function link(text, href) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}
