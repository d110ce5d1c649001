// The "Look inside" panel: every served model's answer side by side, why the answer and not the runner-up,
// and the preprocessing step by step. The page asks the server for these only while the panel is open.

import { makeBars, percent, showBars } from "./bars.js";
import { clearEvidence, drawEvidence } from "./evidence.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";

/** What a prediction request adds while the panel is open. */
export const INSIDE_OPTIONS = { models: "all", explain: "1", steps: "1" };

const panel = document.getElementById("look-inside");
const status = document.getElementById("inside-status");
const compareList = document.getElementById("compare");
const whyDigit = document.getElementById("why-digit");
const whyVersus = document.getElementById("why-versus");
const legendDigit = document.getElementById("legend-digit");
const legendVersus = document.getElementById("legend-versus");
const canvas = document.getElementById("evidence");
const stepsList = document.getElementById("steps");
const readings = new Map();
let shown = 0;

export const isOpen = () => panel.open;

/** Call back when the panel is opened. */
export function onOpen(callback) {
  panel.addEventListener("toggle", () => panel.open && callback());
}

/** A model's place in the list, made on first sight; it is shown by its name in plain words (``title``). */
function reading(name, title) {
  if (!readings.has(name)) {
    const item = document.createElement("li");
    item.innerHTML = `<h4></h4><p class="reading-answer"></p><ol class="bars mini"></ol>`;
    item.querySelector("h4").textContent = title;
    item.dataset.model = name;
    const list = item.querySelector("ol");
    list.setAttribute("aria-label", `${title}: probability of each digit`);
    compareList.append(item);
    readings.set(name, { item, bars: makeBars(list) });
  }
  return readings.get(name);
}

function showCompare(compare) {
  for (const { model, title, digit, confidence, probabilities } of compare) {
    const { item, bars } = reading(model, title);
    item.querySelector(".reading-answer").textContent = `reads ${digit} (${percent(confidence)})`;
    showBars(bars, probabilities, digit);
  }
}

function showSteps(steps) {
  stepsList.replaceChildren(...steps.map(({ name, image }) => {
    const item = document.createElement("li");
    item.innerHTML = `<figure><img alt=""><figcaption></figcaption></figure>`;
    item.querySelector("img").src = image;
    item.querySelector("img").alt = `The drawing, ${name}`;
    item.querySelector("figcaption").textContent = name;
    return item;
  }));
}

async function showExplanation({ digit, versus, map }, input) {
  whyDigit.textContent = String(digit);
  whyVersus.textContent = String(versus);
  legendDigit.textContent = `blue: makes it a ${digit}`;
  legendVersus.textContent = `orange: makes it a ${versus}`;
  document.querySelectorAll(".why-digit-again").forEach((span) => { span.textContent = String(digit); });
  canvas.setAttribute("aria-label", `The model's input: blue pixels make it a ${digit}, orange ones a ${versus}`);
  await drawEvidence(canvas, input, map);
}

/** Show what an answer carries for the panel; answers without it (made while it was closed) are ignored. */
export async function showInside(result) {
  if (!result.compare) return;
  shown += 1;
  const mine = shown;
  showCompare(result.compare);
  showSteps(result.steps);
  const answering = result.compare.find(({ model }) => model === result.model);
  const title = answering ? answering.title : result.model;
  status.textContent = result.not_a_digit
    ? `Answer: ${NOT_A_DIGIT}, says the model “${title}”; its likeliest digit is ${result.digit}.`
    : `Answer: ${result.digit}, from the model “${title}”.`;
  await showExplanation(result.explanation, result.input);
  if (mine === shown) panel.dataset.state = "ready";
}

/** Nothing to look inside: say why. */
export function clearInside(message) {
  shown += 1;
  status.textContent = message;
  stepsList.replaceChildren();
  clearEvidence(canvas);
  panel.dataset.state = "empty";
}

/** An answer with the panel's parts is on its way. */
export function insidePending() {
  panel.dataset.state = "pending";
}
