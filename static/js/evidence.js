// Draws an evidence map over the 28×28 model input: the ink in grey, each pixel tinted blue when it speaks
// for the answer and orange when it speaks for the runner-up, as strongly as it counts.

const FOR_ANSWER = [74, 158, 255];
const FOR_RUNNER_UP = [255, 145, 20];
const INK_GREY = 0.5;
const SIZE = 28;

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("the model input could not be read"));
    image.src = url;
  });
}

/** Paint the map (28 rows of 28 signed numbers) over the input (a PNG data URL) on the canvas. */
export async function drawEvidence(canvas, inputUrl, map) {
  const small = document.createElement("canvas");
  small.width = SIZE;
  small.height = SIZE;
  const context = small.getContext("2d", { willReadFrequently: true });
  context.drawImage(await loadImage(inputUrl), 0, 0);
  const pixels = context.getImageData(0, 0, SIZE, SIZE);
  const strongest = Math.max(...map.flat().map(Math.abs)) || 1;
  map.flat().forEach((value, index) => {
    const grey = pixels.data[4 * index] * INK_GREY;
    const weight = Math.sqrt(Math.min(1, Math.abs(value) / strongest));
    const tint = value > 0 ? FOR_ANSWER : FOR_RUNNER_UP;
    for (let channel = 0; channel < 3; channel += 1) {
      pixels.data[4 * index + channel] = Math.round(grey * (1 - weight) + tint[channel] * weight);
    }
    pixels.data[4 * index + 3] = 255;
  });
  context.putImageData(pixels, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = false;
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** A plain black field: nothing to explain. */
export function clearEvidence(canvas) {
  const target = canvas.getContext("2d");
  target.fillStyle = "#000";
  target.fillRect(0, 0, canvas.width, canvas.height);
}
