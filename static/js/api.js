// Calls to the app's JSON API. Failures throw an ApiError carrying the server's message and status.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(url, options = {}) {
  const response = await fetch(url, options);
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) throw new ApiError(answer.error || `the server answered ${response.status}`, response.status);
  return answer;
}

/** Predict the digit in an image Blob (PNG, JPEG or WebP). */
export function predict(image) {
  return call("/api/predict", { method: "POST", headers: { "Content-Type": image.type || "image/png" }, body: image });
}

/** Save a labelled drawing; resolves to {id, prediction}. */
export async function saveSample(image, label, strokes) {
  const body = JSON.stringify({ image: await dataUrl(image), label, strokes });
  return call("/api/samples", { method: "POST", headers: { "Content-Type": "application/json" }, body });
}

export function listSamples(page, perPage, mistakesOnly) {
  const query = new URLSearchParams({ page, per_page: perPage, mistakes: mistakesOnly ? "1" : "0" });
  return call(`/api/samples?${query}`);
}

export function deleteSample(id) {
  return call(`/api/samples/${id}`, { method: "DELETE" });
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
