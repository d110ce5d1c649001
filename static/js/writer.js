// "Who's drawing?": a name this browser remembers; drawings saved under it teach the model that hand.

const STORAGE_KEY = "digitpad-writer";
const ALLOWED = /^[\p{L}\p{N} _.'-]{1,64}$/u;

/** The name typed in, if it is one the server accepts (letters, digits, spaces, -_.'), else "". */
export function currentWriter() {
  const name = (localStorage.getItem(STORAGE_KEY) || "").trim();
  return ALLOWED.test(name) ? name : "";
}

/** Keep the field and the remembered name in step; onChange(name) runs when a valid name is set or cleared. */
export function connectWriterField(input, onChange = () => {}) {
  input.value = localStorage.getItem(STORAGE_KEY) || "";
  input.addEventListener("change", () => {
    const name = input.value.trim();
    const valid = name === "" || ALLOWED.test(name);
    input.setCustomValidity(valid ? "" : "Use letters, digits, spaces and - _ . ' (at most 64).");
    input.reportValidity();
    if (!valid) return;
    input.value = name;
    localStorage.setItem(STORAGE_KEY, name);
    onChange(name);
  });
}
