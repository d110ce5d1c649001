// Shows an answer: the digit, how sure the model is, the ten probabilities and the 28×28 input.

const UNSURE_BELOW = 0.6;

const digitOutput = document.getElementById("digit");
const statusLine = document.getElementById("status");
const chart = document.getElementById("probabilities");
const preview = document.getElementById("input28");
const previewEmpty = document.getElementById("input28-empty");

const bars = Array.from({ length: 10 }, (_, digit) => {
  const item = document.createElement("li");
  item.dataset.digit = String(digit);
  item.innerHTML = `<span class="bar-label">${digit}</span>
    <span class="bar-track" aria-hidden="true"><span class="bar-fill"></span></span>
    <span class="bar-value">–</span>`;
  chart.append(item);
  return item;
});

const percent = (p) => (p >= 0.995 ? "100%" : p < 0.005 && p > 0 ? "<1%" : `${Math.round(p * 100)}%`);

export function showResult({ digit, confidence, probabilities, input }) {
  const unsure = confidence < UNSURE_BELOW;
  digitOutput.textContent = String(digit);
  digitOutput.classList.toggle("unsure", unsure);
  statusLine.textContent = unsure ? unsureText(probabilities) : `${percent(confidence)} sure`;
  probabilities.forEach((p, index) => {
    const bar = bars[index];
    bar.style.setProperty("--p", p.toFixed(4));
    bar.querySelector(".bar-value").textContent = percent(p);
    bar.classList.toggle("winner", index === digit);
    bar.setAttribute("aria-label", `${index}: ${percent(p)}`);
  });
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
  digitOutput.classList.remove("unsure");
  statusLine.textContent = message;
  for (const bar of bars) {
    bar.style.setProperty("--p", "0");
    bar.querySelector(".bar-value").textContent = "–";
    bar.classList.remove("winner");
    bar.setAttribute("aria-label", `${bar.dataset.digit}: no answer yet`);
  }
  preview.removeAttribute("src");
  preview.hidden = true;
  previewEmpty.hidden = false;
}

export function showError(message) {
  showEmpty(message);
}
