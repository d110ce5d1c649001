// Calls to the app's JSON API. Failures throw an ApiError carrying the server's message and status.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const ADMIN_TOKEN_KEY = "digitpad-admin-token";

async function send(url, options = {}) {
  const response = await fetch(url, options);
  if (response.ok) return response;
  const answer = await response.json().catch(() => ({}));
  throw new ApiError(answer.error || `the server answered ${response.status}`, response.status);
}

async function call(url, options = {}) {
  const response = await send(url, options);
  return response.status === 204 ? null : response.json();
}

/** Remember the admin token for this tab: listing, exporting and deleting send it to the server. */
export function rememberAdminToken(token) {
  sessionStorage.setItem(ADMIN_TOKEN_KEY, token);
}

/** A call that needs the admin token from clients on other machines; a refused token is forgotten. */
async function sendPrivate(url, options = {}) {
  const token = sessionStorage.getItem(ADMIN_TOKEN_KEY);
  const headers = token ? { ...options.headers, Authorization: `Bearer ${token}` } : options.headers;
  try {
    return await send(url, { ...options, headers });
  } catch (error) {
    if (error.status === 401) sessionStorage.removeItem(ADMIN_TOKEN_KEY);
    throw error;
  }
}

/** Predict the digit in an image Blob (PNG, JPEG or WebP). ``options`` go in the query: a ``writer`` to
 * adapt the answer to, and what the Look inside panel asks for (e.g. {explain: 1}); a ``writer_key``
 * goes in the X-Writer-Key header, not in the address. */
export function predict(image, options = {}) {
  const { writer_key: key, ...asked } = options;
  const query = new URLSearchParams(asked).toString();
  const headers = { "Content-Type": image.type || "image/png", ...(key ? { "X-Writer-Key": key } : {}) };
  return call(`/api/predict${query ? `?${query}` : ""}`, { method: "POST", headers, body: image });
}

/** Read the number written in an image Blob, with the strokes that drew it (in the image's pixels); resolves to
 * {number, confidence, digits: [{digit, confidence, probabilities, box, input}, …]}, digits left to right. */
export async function readNumber(image, strokes) {
  return call("/api/read", { method: "POST", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify({ image: await dataUrl(image), strokes }) });
}

/** Save a labelled drawing, under a writer's name with its key when ``who`` ({writer, writer_key}) gives them;
 * resolves to {id, prediction, writer_key (on the first save under a new name)}. */
export async function saveSample(image, label, strokes, who = {}) {
  const fields = { image: await dataUrl(image), label, strokes, ...who };
  return call("/api/samples", { method: "POST", headers: { "Content-Type": "application/json" },
                                body: JSON.stringify(fields) });
}

/** Delete every drawing saved under a writer's name, with its key; resolves to how many there were. */
export async function forgetWriter(writer, key) {
  const { forgotten } = await call(`/api/writers/${encodeURIComponent(writer)}`,
    { method: "DELETE", headers: { "X-Writer-Key": key } });
  return forgotten;
}

export async function listSamples(page, perPage, mistakesOnly) {
  const query = new URLSearchParams({ page, per_page: perPage, mistakes: mistakesOnly ? "1" : "0" });
  return (await sendPrivate(`/api/samples?${query}`)).json();
}

export async function deleteSample(id) {
  await sendPrivate(`/api/samples/${id}`, { method: "DELETE" });
}

/** Send a drawing to a room's wall: {image: Blob, strokes, label (0-9 or null), who: {writer, writer_key}};
 * resolves to {id, digit, confidence}. */
export async function sendToRoom(room, { image, strokes, label, who }, clientId) {
  const fields = { image: await dataUrl(image), strokes, ...who };
  if (label !== null) fields.label = label;
  return call(`/api/rooms/${encodeURIComponent(room)}/drawings`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Client-Id": clientId }, body: JSON.stringify(fields),
  });
}

/** Open a room (the presenter's; needs the admin token from other machines): {room, join_url, present_url}. */
export async function startRoom() {
  return (await sendPrivate("/api/rooms", { method: "POST" })).json();
}

/** Whether a room still takes drawings, and the digit everyone is asked to draw: {room, open, prompt}. */
export async function roomStatus(room) {
  return call(`/api/rooms/${encodeURIComponent(room)}`);
}

/** Ask everyone in a room to draw a digit (null: anything); the presenter's. */
export async function setRoomPrompt(room, digit) {
  await sendPrivate(`/api/rooms/${encodeURIComponent(room)}/prompt`, {
    method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ digit }),
  });
}

/** Take a drawing off a room's wall (the presenter's; needs the admin token from other machines). */
export async function hideRoomDrawing(room, id) {
  await sendPrivate(`/api/rooms/${encodeURIComponent(room)}/drawings/${id}`, { method: "DELETE" });
}

export async function closeRoom(room) {
  await sendPrivate(`/api/rooms/${encodeURIComponent(room)}`, { method: "DELETE" });
}

/** Every saved drawing as a zip Blob (digits.npz + strokes.json). */
export async function exportSamples() {
  return (await sendPrivate("/api/samples/export")).blob();
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
