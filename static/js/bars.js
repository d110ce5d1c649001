// A bar chart of the ten digits' probabilities, as list items a screen reader reads one by one.

export const percent = (p) => (p >= 0.995 ? "100%" : p < 0.005 && p > 0 ? "<1%" : `${Math.round(p * 100)}%`);

/** Ten bars (0-9) appended to the list element, each empty until shown. */
export function makeBars(list) {
  return Array.from({ length: 10 }, (_, digit) => {
    const item = document.createElement("li");
    item.dataset.digit = String(digit);
    item.innerHTML = `<span class="bar-label">${digit}</span>
      <span class="bar-track" aria-hidden="true"><span class="bar-fill"></span></span>
      <span class="bar-value">–</span>`;
    list.append(item);
    return item;
  });
}

/** Show the probabilities on the bars, the winning digit's bar marked. */
export function showBars(bars, probabilities, winner) {
  probabilities.forEach((p, index) => {
    const bar = bars[index];
    bar.style.setProperty("--p", p.toFixed(4));
    bar.querySelector(".bar-value").textContent = percent(p);
    bar.classList.toggle("winner", index === winner);
    bar.setAttribute("aria-label", `${index}: ${percent(p)}`);
  });
}

/** Empty bars: no answer yet. */
export function clearBars(bars) {
  for (const bar of bars) {
    bar.style.setProperty("--p", "0");
    bar.querySelector(".bar-value").textContent = "–";
    bar.classList.remove("winner");
    bar.setAttribute("aria-label", `${bar.dataset.digit}: no answer yet`);
  }
}
