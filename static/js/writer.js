// "Who's drawing?": a name this browser remembers, with the secret key the server gave its first save.
// Saves, adapted answers and "Forget me" under the name send the key; without it the name is not yours.

import { forgetWriter, saveSample } from "./api.js";

const NAME_STORE = "digitpad-writer";
const KEYS_STORE = "digitpad-writer-keys";
const ALLOWED = /^[\p{L}\p{M}\p{N} _.'-]{1,64}$/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** A name as the server compares it: NFC, trimmed. */
function normalised(name) {
  return (name || "").normalize("NFC").trim();
}

function isAllowed(name) {
  return ALLOWED.test(name) && HAS_LETTER_OR_DIGIT.test(name);
}

function keys() {
  try {
    return JSON.parse(localStorage.getItem(KEYS_STORE)) || {};
  } catch {
    return {};
  }
}

/** The name typed in, if it is one the server accepts (letters, marks, digits, spaces, -_.'), else "". */
export function currentWriter() {
  const name = normalised(localStorage.getItem(NAME_STORE));
  return isAllowed(name) ? name : "";
}

/** {writer, writer_key} for a request on behalf of the current writer ({} without a name). */
export function writerFields() {
  const writer = currentWriter();
  if (!writer) return {};
  const key = keys()[writer];
  return key ? { writer, writer_key: key } : { writer };
}

/** Keep the key the server answered a request sent with ``fields`` (from writerFields) with, if it created
 * the writer: a save, or a drawing sent to a room. */
export function keepKey(fields, answer) {
  if (answer.writer_key && fields.writer) {
    localStorage.setItem(KEYS_STORE, JSON.stringify({ ...keys(), [fields.writer]: answer.writer_key }));
  }
}

/** Save a labelled drawing under the current writer (if any), keeping the key a first save is answered with. */
export async function saveAsWriter(image, label, strokes) {
  const fields = writerFields();
  const saved = await saveSample(image, label, strokes, fields);
  keepKey(fields, saved);
  return saved;
}

/** Forget the current writer on the server (every drawing of theirs), then their name and key here. */
export async function forgetCurrentWriter() {
  const { writer, writer_key: key } = writerFields();
  const forgotten = await forgetWriter(writer, key || "");
  const kept = keys();
  delete kept[writer];
  localStorage.setItem(KEYS_STORE, JSON.stringify(kept));
  localStorage.removeItem(NAME_STORE);
  return forgotten;
}

/** A new person at a shared machine: no name and no key of anyone before stays in this browser. */
export function switchPerson() {
  localStorage.removeItem(NAME_STORE);
  localStorage.removeItem(KEYS_STORE);
}

/** Keep the field and the remembered name in step; onChange(name) runs when a valid name is set or cleared.
 * The "New person" button (if there is one next to it) empties both and forgets every key. */
export function connectWriterField(input, onChange = () => {}) {
  input.value = localStorage.getItem(NAME_STORE) || "";
  input.addEventListener("change", () => {
    const name = normalised(input.value);
    const valid = name === "" || isAllowed(name);
    input.setCustomValidity(valid ? "" : "Use letters, digits, spaces and - _ . ' (at most 64).");
    input.reportValidity();
    if (!valid) return;
    input.value = name;
    localStorage.setItem(NAME_STORE, name);
    onChange(name);
  });
  const newPerson = document.getElementById("new-person");
  newPerson?.addEventListener("click", () => {
    switchPerson();
    input.value = "";
    input.setCustomValidity("");
    onChange("");
    input.focus();
  });
}
