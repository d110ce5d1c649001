// Presentation mode for a projector: a large pad, a large answer and bars, high contrast and nothing else.
// A button switches it on and off (and says how to leave), Esc leaves, and the page opens in it at ?present.

const button = document.getElementById("present");
const PARAMETER = "present";

function present(on) {
  document.body.classList.toggle("presenting", on);
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Leave presentation mode (Esc)" : "Presentation mode";
}

function switchTo(on) {
  present(on);
  const url = new URL(window.location.href);
  if (on) url.searchParams.set(PARAMETER, "");
  else url.searchParams.delete(PARAMETER);
  window.history.replaceState(null, "", url);
}

export function setUpPresentation() {
  present(new URLSearchParams(window.location.search).has(PARAMETER));
  button.addEventListener("click", () => switchTo(!document.body.classList.contains("presenting")));
  // Captured before the pad's own Escape (which clears the drawing): in presentation mode Esc leaves.
  window.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !document.body.classList.contains("presenting")) return;
    event.stopImmediatePropagation();
    switchTo(false);
  }, { capture: true });
}
