// The drawing pad: records strokes from mouse, touch and pen, and draws them
// the same way at any screen size. Points are kept in pad pixels (the canvas's
// data-size for a square pad, data-width and data-height for a wide one), so
// what is sent never depends on the screen.

export function drawStrokes(ctx, strokes, penWidth) {
  ctx.lineWidth = penWidth;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const [first, ...rest] of strokes) {
    // A dot at the start: browsers draw nothing for a zero-length path, even with round caps.
    ctx.beginPath();
    ctx.arc(first[0], first[1], penWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    if (rest.length === 0) continue;
    ctx.beginPath();
    ctx.moveTo(first[0], first[1]);
    for (const [x, y] of rest) ctx.lineTo(x, y);
    ctx.stroke();
  }
}

export class DrawingPad extends EventTarget {
  constructor(canvas) {
    super();
    this.canvas = canvas;
    this.size = Number(canvas.dataset.size);
    this.width = Number(canvas.dataset.width || canvas.dataset.size);
    this.height = Number(canvas.dataset.height || canvas.dataset.size);
    this.penWidth = Number(canvas.dataset.penWidth);
    this.strokes = [];
    this.backdrop = null;
    this.activePointer = null;
    this.ctx = canvas.getContext("2d");
    this.#listen();
    new ResizeObserver(() => this.#resize()).observe(canvas);
    this.#resize();
  }

  get isEmpty() {
    return this.strokes.length === 0 && this.backdrop === null;
  }

  undo() {
    if (this.strokes.length === 0) return;
    this.#stopFollowingPen();
    this.strokes.pop();
    this.#changed("undo");
  }

  clear() {
    if (this.isEmpty) return;
    this.#stopFollowingPen();
    this.strokes = [];
    this.backdrop = null;
    this.#changed("clear");
  }

  /** The strokes as they are now, unchanged by whatever is drawn next. */
  copyStrokes() {
    return this.strokes.map((stroke) => [...stroke]);
  }

  /** Show a picture (an uploaded photo) in place of the strokes until the next drawing. */
  showPicture(bitmap) {
    this.#stopFollowingPen();
    this.strokes = [];
    this.backdrop = bitmap;
    this.#changed("picture");
  }

  /** The drawing as a PNG of the pad's size in pad pixels, dark ink on white, as the server expects. */
  toBlob() {
    const canvas = document.createElement("canvas");
    canvas.width = this.width;
    canvas.height = this.height;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.fillStyle = ctx.strokeStyle = "#000";
    drawStrokes(ctx, this.strokes, this.penWidth);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  #listen() {
    const canvas = this.canvas;
    canvas.addEventListener("pointerdown", (event) => this.#start(event));
    canvas.addEventListener("pointermove", (event) => this.#move(event));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      canvas.addEventListener(type, (event) => this.#end(event));
    }
    canvas.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });
    canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  }

  #start(event) {
    if (this.activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    this.#blurFocusedControl();
    this.activePointer = event.pointerId;
    this.canvas.setPointerCapture(event.pointerId);
    if (this.backdrop) {
      this.backdrop = null;
      this.#changed("clear");
    }
    this.strokes.push([this.#point(event)]);
    this.#changed("extend");
  }

  #move(event) {
    if (event.pointerId !== this.activePointer) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    const stroke = this.strokes.at(-1);
    for (const each of events.length ? events : [event]) stroke.push(this.#point(each));
    this.#changed("extend");
  }

  #end(event) {
    if (event.pointerId !== this.activePointer) return;
    this.#stopFollowingPen();
    this.#changed("end");
  }

  /** Drawing moves focus off the control used last, as a click would had pointerdown not been prevented,
   * so keys such as Enter no longer go to that control. */
  #blurFocusedControl() {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  }

  /** End the stroke in progress, if any: until the pen lifts and touches down again, it draws nothing. */
  #stopFollowingPen() {
    const pointer = this.activePointer;
    if (pointer === null) return;
    this.activePointer = null;
    if (this.canvas.hasPointerCapture(pointer)) this.canvas.releasePointerCapture(pointer);
  }

  #point(event) {
    const box = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * this.width;
    const y = ((event.clientY - box.top) / box.height) * this.height;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10, Math.round(event.timeStamp)];
  }

  #changed(kind) {
    this.#requestRedraw();
    this.dispatchEvent(new CustomEvent("change", { detail: { kind } }));
  }

  #resize() {
    const box = this.canvas.getBoundingClientRect();
    const pixels = Math.max(1, Math.round(box.width * (window.devicePixelRatio || 1)));
    if (this.canvas.width !== pixels) {
      this.canvas.width = pixels;
      this.canvas.height = Math.round((pixels * this.height) / this.width);
    }
    this.#requestRedraw();
  }

  #requestRedraw() {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.#redraw();
    });
  }

  #redraw() {
    const ctx = this.ctx;
    const scale = this.canvas.width / this.width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.backdrop) {
      const fit = Math.min(this.canvas.width / this.backdrop.width, this.canvas.height / this.backdrop.height);
      const width = this.backdrop.width * fit;
      const height = this.backdrop.height * fit;
      ctx.drawImage(this.backdrop, (this.canvas.width - width) / 2, (this.canvas.height - height) / 2, width, height);
    }
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.fillStyle = ctx.strokeStyle = getComputedStyle(this.canvas).color;
    drawStrokes(ctx, this.strokes, this.penWidth);
  }
}

/** Wire the Undo and Clear buttons, their shortcuts (Ctrl/Cmd+Z, Escape, Delete) and the "Draw here" hint. */
export function connectControls(pad, { undo, clear, hint }) {
  const update = () => {
    undo.disabled = pad.strokes.length === 0;
    clear.disabled = pad.isEmpty;
    hint.hidden = !pad.isEmpty;
  };
  pad.addEventListener("change", update);
  undo.addEventListener("click", () => pad.undo());
  clear.addEventListener("click", () => pad.clear());
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      event.preventDefault();
      pad.undo();
    } else if (event.key === "Escape" || event.key === "Delete") {
      pad.clear();
    }
  });
  update();
}

/** How long the pen must stay up before a drawing counts as finished: longer than people pause between the
 * strokes of one digit (the bar of a 7, the second stroke of a 4 or 5; pauses of 2 s are common). */
export const FINISHED_AFTER_MS = 3000;

/** Call onFinished() once the pen has stayed up for FINISHED_AFTER_MS with a drawing on the pad; a pen that
 * comes down again, Undo or Clear start the wait again. Returns a function that cancels the wait. */
export function whenFinished(pad, onFinished) {
  let timer = null;
  pad.addEventListener("change", ({ detail: { kind } }) => {
    clearTimeout(timer);
    if (kind === "end" && !pad.isEmpty) timer = setTimeout(onFinished, FINISHED_AFTER_MS);
  });
  return () => clearTimeout(timer);
}
