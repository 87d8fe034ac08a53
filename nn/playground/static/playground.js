// The playground's page: it only draws. Python (nn/playground/session.py) owns the engine; the
// page sends small messages through `model.send` (the anywidget channel in Jupyter, a POST to
// /api outside it) and draws each state it gets back. While playing, it asks for the next steps
// only once it has drawn the last ones (a paced pull), so the kernel is never flooded.

const SVG = "http://www.w3.org/2000/svg";
const CLASS_COLOURS = [[31, 119, 180], [214, 39, 40], [44, 160, 44]];

function element(tag, attributes = {}, text) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

function svgElement(tag, attributes = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

function formatNumber(x) {
  if (x === null || x === undefined) return "—";
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  return magnitude >= 1e-3 && magnitude < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

function panel(root, label, className) {
  const section = element("section", { class: `cr-panel ${className}`, "aria-label": label });
  section.append(element("h2", {}, label));
  root.append(section);
  return section;
}

function render({ model, el }) {
  el.classList.add("cr-playground");
  el.replaceChildren();
  const bar = element("div", { class: "cr-bar", role: "toolbar", "aria-label": "controls" });
  const play = element("button", { type: "button" }, "Play");
  const step = element("button", { type: "button" }, "Step");
  const reset = element("button", { type: "button" }, "Reset");
  const speed = element("select", { "aria-label": "steps per frame", title: "steps per frame" });
  for (const k of [1, 2, 5, 10, 25]) speed.append(element("option", { value: k }, `${k}×`));
  speed.value = "2";
  const counter = element("span", { class: "cr-steps", "aria-live": "off" }, "step 0");
  const lr = element("input", { type: "number", step: "any", min: "0", max: "10", "aria-label": "learning rate" });
  const optimizer = element("select", { "aria-label": "optimizer" });
  for (const name of ["sgd", "momentum", "adam"]) optimizer.append(element("option", { value: name }, name));
  const activation = element("select", { "aria-label": "activation" });
  for (const name of ["tanh", "relu", "sigmoid"]) activation.append(element("option", { value: name }, name));
  const hidden = element("input", { type: "text", size: "6", "aria-label": "hidden layers", title: "hidden layer sizes, e.g. 8,8" });
  const data = element("select", { "aria-label": "dataset" });
  for (const name of ["moons", "circles", "xor", "spiral", "lesson"]) data.append(element("option", { value: name }, name));
  const loss = element("select", { "aria-label": "loss" });
  const pointClass = element("select", { "aria-label": "class of new points", title: "class of the points you add" });
  const animate = element("button", { type: "button", title: "step through the chain rule of this very step" }, "Animate backward");
  const label = (text, control) => { const l = element("label", {}, text + " "); l.append(control); return l; };
  bar.append(play, step, reset, label("speed", speed), counter, label("lr", lr), label("optimizer", optimizer),
             label("activation", activation), label("hidden", hidden), label("data", data), label("loss", loss),
             label("add class", pointClass), animate);
  const status = element("div", { class: "cr-status", role: "status" });
  const grid = element("div", { class: "cr-grid" });
  el.append(bar, status, grid);

  const surfacePanel = panel(grid, "decision surface", "cr-surface");
  const canvas = element("canvas", { width: 320, height: 320, class: "cr-plane", title: "click to add a point" });
  surfacePanel.append(canvas);
  const small = document.createElement("canvas");  // the grid at one pixel per point, scaled up smoothly
  const networkPanel = panel(grid, "network", "cr-network");
  const showGrads = element("input", { type: "checkbox", "aria-label": "show gradients" });
  networkPanel.querySelector("h2").append(" ", label("gradients", showGrads));
  const networkSvg = svgElement("svg", { class: "cr-net", viewBox: "0 0 300 240", role: "img", "aria-label": "the network's weights" });
  const tip = element("div", { class: "cr-tip", role: "tooltip" }, "hover a weight");
  networkPanel.append(networkSvg, tip);
  const graphPanel = panel(grid, "computation graph", "cr-graph");
  const graphNote = element("p", { class: "cr-note" });
  const graphHolder = element("div", { class: "cr-graph-holder" });
  graphPanel.append(graphNote, graphHolder);
  const lossPanel = panel(grid, "loss", "cr-loss");
  const lossValue = element("div", { class: "cr-loss-value" }, "loss —");
  const lossSvg = svgElement("svg", { class: "cr-curve", viewBox: "0 0 300 90", preserveAspectRatio: "none", role: "img", "aria-label": "loss curve" });
  lossPanel.append(lossValue, lossSvg);
  const overlay = element("div", { class: "cr-overlay", hidden: "" });
  el.append(overlay);

  let state = null, playing = false, waiting = false, graphTexts = {}, frames = 0;

  function send(message) { waiting = true; model.send(message); }

  function drawSurface() {
    const [x0, x1, y0, y1] = state.bounds;
    canvas.setAttribute("data-x-min", x0); canvas.setAttribute("data-x-max", x1);
    canvas.setAttribute("data-y-min", y0); canvas.setAttribute("data-y-max", y1);
    const ctx = canvas.getContext("2d");
    const n = state.grid.length;
    const pixels = new ImageData(n, n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const v = state.grid[r][c];
        let colour;
        if (state.classes === 2) {  // the probability of class 1: white at 0.5, deeper towards 0 and 1
          const base = v > 0.5 ? CLASS_COLOURS[1] : CLASS_COLOURS[0];
          colour = base.map((ci) => 255 - (255 - ci) * Math.abs(v - 0.5) * 0.9);
        } else {  // the most probable class, deeper where it is surer
          const k = Math.floor(v), p = v - k;
          colour = CLASS_COLOURS[k % 3].map((ci) => 255 - (255 - ci) * Math.max(0, p - 0.33) * 0.7);
        }
        pixels.data.set([...colour, 255], 4 * (r * n + c));
      }
    }
    small.width = small.height = n;
    small.getContext("2d").putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    const sx = (x) => ((x - x0) / (x1 - x0)) * canvas.width;
    const sy = (y) => ((y1 - y) / (y1 - y0)) * canvas.height;
    state.points.forEach(([x, y], i) => {
      ctx.beginPath();
      ctx.arc(sx(x), sy(y), i === state.trace ? 6 : 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${CLASS_COLOURS[state.labels[i] % 3].join(",")})`;
      ctx.fill();
      ctx.lineWidth = i === state.trace ? 2.5 : 1;
      ctx.strokeStyle = i === state.trace ? "#000" : "#fff";
      ctx.stroke();
    });
  }

  function drawNetwork() {
    const { sizes, weights } = state.network;
    networkSvg.replaceChildren();
    if (!sizes.length) return;
    const x = (i) => 20 + (260 * i) / (sizes.length - 1);
    const y = (i, j) => 20 + (200 * (j + 0.5)) / sizes[i];
    const gradients = showGrads.checked;
    const scale = Math.max(1e-12, ...weights.map((w) => Math.abs(gradients ? w.grad : w.value)));
    for (const w of weights) {
      if (w.from < 0) continue;  // a bias: shown on its neuron
      const v = gradients ? w.grad : w.value;
      const line = svgElement("line", { x1: x(w.layer), y1: y(w.layer, w.from), x2: x(w.layer + 1), y2: y(w.layer + 1, w.to),
        stroke: v >= 0 ? "#1f77b4" : "#d62728", "stroke-width": 0.4 + 4 * Math.abs(v) / scale, "stroke-opacity": 0.8, class: "cr-weight" });
      line.addEventListener("mouseenter", () => {
        const extra = Object.entries(w.state).map(([k, s]) => `${k} ${formatNumber(s)}`).join(", ");
        tip.textContent = `${w.name}: value ${formatNumber(w.value)}, grad ${formatNumber(w.grad)}${extra ? ", " + extra : ""}`;
      });
      networkSvg.append(line);
    }
    sizes.forEach((size, i) => {
      for (let j = 0; j < size; j++) {
        const bias = weights.find((w) => w.from < 0 && w.layer === i - 1 && w.to === j);
        const node = svgElement("circle", { cx: x(i), cy: y(i, j), r: 7, fill: i === 0 ? "#d6e6f5" : "#fff", stroke: "#444" });
        if (bias) node.addEventListener("mouseenter", () => {
          tip.textContent = `${bias.name}: value ${formatNumber(bias.value)}, grad ${formatNumber(bias.grad)}`;
        });
        networkSvg.append(node);
      }
    });
  }

  function drawGraph() {
    const graph = state.graph;
    if (graph.svg) {  // a new graph: its layout arrives once, later states carry numbers only
      graphHolder.innerHTML = graph.svg;
      graphTexts = {};
      for (const id of Object.keys(graph.texts)) {
        const g = graphHolder.querySelector(`g[id="${id}"]`);
        if (!g) continue;
        const texts = [...g.querySelectorAll("text")];
        graphTexts[id] = [texts.find((t) => t.textContent.startsWith("data ")), texts.find((t) => t.textContent.startsWith("grad "))];
      }
    }
    for (const [id, [dataText, gradText]] of Object.entries(graph.texts)) {
      const shown = graphTexts[id];
      if (!shown) continue;
      if (shown[0]) shown[0].textContent = dataText;
      if (shown[1]) shown[1].textContent = gradText;
    }
    graphNote.textContent = `point ${state.trace} (class ${state.labels[state.trace]}): its own loss and gradients; click a point to trace it`;
  }

  function drawLoss() {
    lossValue.textContent = `loss ${state.loss === null ? "—" : state.loss.toPrecision(4)} after ${state.steps} steps`;
    lossSvg.replaceChildren();
    const h = state.history;
    if (h.length < 2) return;
    const finite = h.filter(Number.isFinite);
    const top = Math.max(...finite), bottom = Math.min(0, ...finite);
    const points = h.map((v, i) => `${(300 * i) / (h.length - 1)},${85 - (80 * (v - bottom)) / (top - bottom || 1)}`);
    lossSvg.append(svgElement("polyline", { points: points.join(" "), fill: "none", stroke: "#c0392b", "stroke-width": 1.5 }));
  }

  function drawSettings() {
    const s = state.settings;
    if (document.activeElement !== lr) lr.value = s.lr;
    optimizer.value = s.optimizer;
    activation.value = s.activation;
    if (document.activeElement !== hidden) hidden.value = s.hidden.join(",");
    data.value = s.data;
    loss.replaceChildren(...s.losses.map((name) => element("option", { value: name }, name)));
    loss.value = s.loss;
    if (pointClass.options.length !== state.classes) {
      pointClass.replaceChildren(...Array.from({ length: state.classes }, (_, k) => element("option", { value: k }, `class ${k}`)));
    }
  }

  function draw() {
    drawSurface();
    drawNetwork();
    drawGraph();
    drawLoss();
    drawSettings();
    counter.textContent = `step ${state.steps}`;
    frames += 1;
    el.dataset.frames = frames;
    el.dataset.steps = state.steps;
  }

  model.on("msg:custom", (message) => {
    waiting = false;
    if (message.type === "error") {
      status.textContent = message.message;
      if (playing) togglePlay();
      return;
    }
    if (message.type === "animation") {
      overlay.replaceChildren();
      const close = element("button", { type: "button" }, "Close");
      close.addEventListener("click", () => { overlay.hidden = true; });
      const frame = element("iframe", { title: "backward animation", srcdoc: message.html });
      overlay.append(close, frame);
      overlay.hidden = false;
      return;
    }
    if (message.type !== "state") return;
    status.textContent = "";
    state = message;
    draw();
    if (playing) requestAnimationFrame(() => { if (playing && !waiting) send({ type: "step", n: Number(speed.value) }); });
  });

  function togglePlay() {
    playing = !playing;
    play.textContent = playing ? "Pause" : "Play";
    if (playing && !waiting) send({ type: "step", n: Number(speed.value) });
  }

  play.addEventListener("click", togglePlay);
  step.addEventListener("click", () => { if (!playing) send({ type: "step", n: 1 }); });
  reset.addEventListener("click", () => send({ type: "reset" }));
  animate.addEventListener("click", () => send({ type: "animate" }));
  showGrads.addEventListener("change", () => state && drawNetwork());
  lr.addEventListener("change", () => send({ type: "configure", lr: Number(lr.value) }));
  optimizer.addEventListener("change", () => send({ type: "configure", optimizer: optimizer.value, lr: Number(lr.value) }));
  activation.addEventListener("change", () => send({ type: "configure", activation: activation.value }));
  hidden.addEventListener("change", () => {
    const sizes = hidden.value.split(/[ ,]+/).filter(Boolean).map(Number);
    send({ type: "configure", hidden: sizes });
  });
  data.addEventListener("change", () => send({ type: "configure", data: data.value }));
  loss.addEventListener("change", () => send({ type: "configure", loss: loss.value }));
  canvas.addEventListener("click", (event) => {
    if (!state) return;
    const box = canvas.getBoundingClientRect();
    const [x0, x1, y0, y1] = state.bounds;
    const x = x0 + ((event.clientX - box.left) / box.width) * (x1 - x0);
    const y = y1 - ((event.clientY - box.top) / box.height) * (y1 - y0);
    const near = state.points.findIndex(([px, py]) => Math.hypot((px - x) / (x1 - x0), (py - y) / (y1 - y0)) < 0.02);
    if (event.shiftKey && near >= 0) send({ type: "remove_point", i: near });
    else if (near >= 0) send({ type: "trace", i: near });
    else send({ type: "add_point", x: [x, y], label: Number(pointClass.value || 0) });
  });
  send({ type: "hello" });
}

export default { render };
