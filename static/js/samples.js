// The saved drawings: thumbnails with label and prediction, a filter for mistakes, delete, paging.

import { deleteSample, exportSamples, listSamples, rememberAdminToken } from "./api.js";

const PER_PAGE = 24;
const list = document.getElementById("samples");
const status = document.getElementById("samples-status");
const mistakesOnly = document.getElementById("mistakes-only");
const previous = document.getElementById("previous");
const following = document.getElementById("following");
const pageInfo = document.getElementById("page-info");
const tokenForm = document.getElementById("admin-token");
const tokenInput = document.getElementById("admin-token-input");
const exportLink = document.getElementById("export");
let page = 1;

async function show() {
  status.textContent = "Loading…";
  try {
    const listing = await listSamples(page, PER_PAGE, mistakesOnly.checked);
    if (page > listing.pages) {
      page = listing.pages;
      return show();
    }
    list.replaceChildren(...listing.samples.map(card));
    status.textContent = listing.total === 0
      ? (mistakesOnly.checked ? "No mistakes saved." : "Nothing saved yet: draw a digit and save it with its true label.")
      : `${listing.total} saved drawing${listing.total === 1 ? "" : "s"}.`;
    pageInfo.textContent = `Page ${listing.page} of ${listing.pages}`;
    previous.disabled = page <= 1;
    following.disabled = page >= listing.pages;
  } catch (error) {
    if (!askForTokenOn(error)) status.textContent = `Could not load the saved drawings: ${error.message}`;
  }
}

/** On a 401, show the token field and say why; false for any other error. */
function askForTokenOn(error) {
  if (error.status !== 401) return false;
  status.textContent = "Saved drawings are private: enter the admin token the server was started with.";
  tokenForm.hidden = false;
  tokenInput.focus();
  return true;
}

function card(sample) {
  const item = document.createElement("li");
  const labelled = sample.label !== null;
  const wrong = labelled && sample.label !== sample.prediction;
  item.className = wrong ? "sample mistake" : "sample";
  const picture = document.createElement("img");
  picture.src = sample.image;
  picture.alt = labelled ? `Drawing saved as ${sample.label}` : `Drawing sent to room ${sample.room}, no label`;
  picture.width = picture.height = 96;
  const input = document.createElement("img");
  input.src = sample.input;
  input.alt = "What the model saw";
  input.className = "input28";
  input.width = input.height = 48;
  const caption = document.createElement("p");
  const where = sample.room ? ` · room ${sample.room}` : "";
  caption.textContent = `${labelled ? sample.label : "?"} · read ${sample.prediction} ` +
    `(${Math.round(sample.confidence * 100)}%)${where}`;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "Delete";
  remove.setAttribute("aria-label", `Delete drawing #${sample.id}`);
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try {
      await deleteSample(sample.id);
      await show();
    } catch (error) {
      remove.disabled = false;
      if (!askForTokenOn(error)) status.textContent = `Could not delete #${sample.id}: ${error.message}`;
    }
  });
  item.append(picture, input, caption, remove);
  item.dataset.id = sample.id;
  return item;
}

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  rememberAdminToken(tokenInput.value);
  tokenInput.value = "";
  tokenForm.hidden = true;
  show();
});

exportLink.addEventListener("click", async (event) => {
  event.preventDefault();
  try {
    const download = document.createElement("a");
    download.href = URL.createObjectURL(await exportSamples());
    download.download = exportLink.getAttribute("download") || "digitpad-samples.zip";
    download.click();
    setTimeout(() => URL.revokeObjectURL(download.href), 60_000);
  } catch (error) {
    if (!askForTokenOn(error)) status.textContent = `Could not download: ${error.message}`;
  }
});

mistakesOnly.addEventListener("change", () => {
  page = 1;
  show();
});
previous.addEventListener("click", () => {
  page -= 1;
  show();
});
following.addEventListener("click", () => {
  page += 1;
  show();
});

show();
