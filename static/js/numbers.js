// The number page: a wide pad whose number is read as you write, each digit's box drawn on the drawing and each
// digit's bars shown on demand.

import { readNumber } from "./api.js";
import { clearBars, makeBars, percent, showBars } from "./bars.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";
import { connectControls, DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { setUpPresentation } from "./present.js";

const UNSURE_BELOW = 0.6;
const SVG = "http://www.w3.org/2000/svg";

const pad = new DrawingPad(document.getElementById("pad"));
const resultSection = document.querySelector(".number-result");
const numberOutput = document.getElementById("number");
const statusLine = document.getElementById("status");
const digitList = document.getElementById("number-digits");
const chart = document.getElementById("digit-chart");
const chartCaption = document.getElementById("digit-chart-caption");
const bars = makeBars(document.getElementById("probabilities"));
const boxLayer = makeBoxLayer(document.getElementById("drop-zone"));

let reading = null;
let chosen = null;

/** An SVG over the pad, in pad pixels, for the digits' boxes; it takes no pointer events and is not read out. */
function makeBoxLayer(frame) {
  const layer = document.createElementNS(SVG, "svg");
  layer.setAttribute("class", "digit-boxes");
  layer.setAttribute("viewBox", `0 0 ${pad.width} ${pad.height}`);
  layer.setAttribute("aria-hidden", "true");
  frame.append(layer);
  return layer;
}

/** "empty", "pending", "ready" or "error": what the answer on screen stands for, for people and tests. */
function setState(state) {
  resultSection.dataset.state = state;
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** Each digit's box on the drawing, with the digit read above it; the chosen one stands out. */
function drawBoxes(digits) {
  boxLayer.replaceChildren(...digits.flatMap((part, index) => {
    const [x0, y0, x1, y1] = part.box;
    const flags = `${index === chosen ? " chosen" : ""}${doubtful(part) ? " unsure" : ""}`;
    const label = svgElement("text", { x: x0, y: Math.max(y0 - 6, 22), class: `box-label${flags}` });
    label.textContent = shown(part);
    return [svgElement("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 6, class: `digit-box${flags}` }),
      label];
  }));
}

/** What a part shows: its digit, or ? when it does not look like a digit. */
const shown = (part) => (part.not_a_digit ? "?" : String(part.digit));

/** A part shown in orange: the model is not sure of it, or it does not look like a digit. */
const doubtful = (part) => part.not_a_digit || part.confidence < UNSURE_BELOW;

/** One button per digit read: its 28×28 input and its digit; pressing it shows that digit's bars. */
function digitButton(part, index, count) {
  const { confidence, input } = part;
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = doubtful(part) ? "number-digit unsure" : "number-digit";
  button.setAttribute("aria-expanded", String(index === chosen));
  button.setAttribute("aria-controls", "digit-chart");
  button.setAttribute("aria-label", part.not_a_digit ? `Part ${index + 1} of ${count}: ${NOT_A_DIGIT}`
    : `Digit ${index + 1} of ${count}: ${part.digit}, ${percent(confidence)} sure`);
  const image = document.createElement("img");
  Object.assign(image, { src: input, alt: "", width: 28, height: 28 });
  const text = document.createElement("span");
  text.textContent = shown(part);
  button.append(image, text);
  button.addEventListener("click", () => choose(chosen === index ? null : index));
  item.append(button);
  return item;
}

function choose(index) {
  chosen = index;
  if (reading) showReading(reading);
  if (index !== null) digitList.querySelectorAll("button")[index].focus({ preventScroll: true });
}

function showReading(answer) {
  reading = answer;
  if (chosen !== null && chosen >= answer.digits.length) chosen = null;
  const unsure = answer.digits.filter(doubtful).length;
  const strangers = answer.digits.filter((part) => part.not_a_digit).length;
  numberOutput.textContent = answer.number;
  numberOutput.classList.toggle("unsure", unsure > 0);
  statusLine.textContent = strangers > 0
    ? `${strangers === 1 ? "One part doesn't" : `${strangers} parts don't`} look like a digit (?): ` +
      "choose it to see what the model would read"
    : unsure === 0 ? `${percent(answer.confidence)} sure`
      : `Not sure of ${unsure === 1 ? "one digit" : `${unsure} digits`}: choose it to see what else it could be`;
  digitList.replaceChildren(...answer.digits.map((digit, index) => digitButton(digit, index, answer.digits.length)));
  drawBoxes(answer.digits);
  showChosen();
}

function showChosen() {
  chart.hidden = chosen === null;
  if (chosen === null) return;
  const { digit, probabilities } = reading.digits[chosen];
  chartCaption.textContent = `Digit ${chosen + 1} of ${reading.digits.length}: probability of each digit`;
  showBars(bars, probabilities, digit);
}

function showNothing(message) {
  reading = null;
  chosen = null;
  numberOutput.textContent = "";
  numberOutput.classList.remove("unsure");
  statusLine.textContent = message;
  digitList.replaceChildren();
  boxLayer.replaceChildren();
  chart.hidden = true;
  clearBars(bars);
}

const predictor = new LivePredictor({
  predict: ({ image, strokes }) => readNumber(image, strokes),
  onResult: (answer, latest) => {
    showReading(answer);
    if (latest) setState("ready");
  },
  onError: (error) => {
    if (error.status === 422) showNothing("Write bigger digits");
    else showNothing(`Could not read the number: ${error.message}`);
    setState("error");
  },
});

/** What to send: the drawing and its strokes as they are at this moment. */
function drawing() {
  const strokes = pad.copyStrokes();
  return pad.toBlob().then((image) => ({ image, strokes }));
}

connectControls(pad, {
  undo: document.getElementById("undo"),
  clear: document.getElementById("clear"),
  hint: document.getElementById("pad-hint"),
});

pad.addEventListener("change", ({ detail: { kind } }) => {
  if (pad.strokes.length === 0) {
    predictor.reset(null);
    showNothing("Write a number");
    setState("empty");
    return;
  }
  setState("pending");
  if (kind === "extend" || kind === "end") predictor.grew(drawing, kind === "end");
  else predictor.reset(drawing);
});

setUpPresentation();
setState("empty");
