// Presentation mode for a projector: a large pad, a large answer and bars, high contrast and nothing else.
// A button switches it on and off, and the page opens in it at ?present.

const button = document.getElementById("present");
const PARAMETER = "present";

function present(on) {
  document.body.classList.toggle("presenting", on);
  button.setAttribute("aria-pressed", String(on));
}

export function setUpPresentation() {
  present(new URLSearchParams(window.location.search).has(PARAMETER));
  button.addEventListener("click", () => {
    const on = !document.body.classList.contains("presenting");
    present(on);
    const url = new URL(window.location.href);
    if (on) url.searchParams.set(PARAMETER, "");
    else url.searchParams.delete(PARAMETER);
    window.history.replaceState(null, "", url);
  });
}
