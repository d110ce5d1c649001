// Shows an answer: the digit, how sure the model is, the ten probabilities and the 28×28 input.

import { clearBars, makeBars, percent, showBars } from "./bars.js";
import { NOT_A_DIGIT } from "./not-a-digit.js";

const UNSURE_BELOW = 0.6;

const digitOutput = document.getElementById("digit");
const statusLine = document.getElementById("status");
const chart = document.getElementById("probabilities");
const preview = document.getElementById("input28");
const previewEmpty = document.getElementById("input28-empty");

const bars = makeBars(chart);

export function showResult({ digit, confidence, probabilities, input, not_a_digit: notADigit }) {
  const unsure = confidence < UNSURE_BELOW;
  digitOutput.textContent = notADigit ? "?" : String(digit);
  digitOutput.classList.toggle("unsure", unsure && !notADigit);
  digitOutput.classList.toggle("not-a-digit", Boolean(notADigit));
  statusLine.textContent = notADigit ? `${NOT_A_DIGIT}. Draw one digit, 0 to 9.`
    : unsure ? unsureText(probabilities) : `${percent(confidence)} sure`;
  if (notADigit) clearBars(bars);
  else showBars(bars, probabilities, digit);
  preview.src = input;
  preview.hidden = false;
  previewEmpty.hidden = true;
}

function unsureText(probabilities) {
  const [first, second] = probabilities
    .map((p, digit) => ({ p, digit }))
    .sort((a, b) => b.p - a.p);
  return `Not sure: ${first.digit} (${percent(first.p)}) or ${second.digit} (${percent(second.p)})?`;
}

export function showEmpty(message = "Draw a digit") {
  digitOutput.textContent = "";
  digitOutput.classList.remove("unsure", "not-a-digit");
  statusLine.textContent = message;
  clearBars(bars);
  preview.removeAttribute("src");
  preview.hidden = true;
  previewEmpty.hidden = false;
}

export function showError(message) {
  showEmpty(message);
}
