// The backward-animation player (autograd/animation.py). Inlined into each player's HTML with
// PLAYER_ID replaced by the player's id; its data is the JSON in the player's .cr-data script.
(function () {
  var root = document.getElementById("PLAYER_ID");
  var data = JSON.parse(root.querySelector(".cr-data").textContent);
  var frames = data.frames, last = frames.length - 1;
  var still = root.querySelector(".cr-still");
  var bytes = Uint8Array.from(atob(still.src.split(",")[1]), function (c) { return c.charCodeAt(0); });
  var holder = document.createElement("div");
  holder.innerHTML = new TextDecoder().decode(bytes);
  var svg = holder.querySelector("svg");
  svg.querySelectorAll("[id]").forEach(function (el) { el.id = "PLAYER_ID-" + el.id; });
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", still.alt);
  still.replaceWith(svg);
  root.classList.add("cr-fit");
  var controls = root.querySelector(".cr-controls");
  controls.hidden = false;
  function part(id) { return svg.querySelector('[id="PLAYER_ID-' + id + '"]'); }
  // Each frame carries only the gradient texts that change: accumulate them into full states.
  var state = {};
  frames.forEach(function (f) { Object.assign(state, f.grads); f.shown = Object.assign({}, state); });
  var gradText = {};
  Object.keys(state).forEach(function (id) {
    var g = part(id);
    if (!g) return;
    g.querySelectorAll("text").forEach(function (t) { if (t.textContent.indexOf("grad ") === 0) gradText[id] = t; });
  });
  var slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".cr-count");
  var caption = root.querySelector(".cr-caption");
  var play = root.querySelector("button[data-go=play]");
  var zoom = root.querySelector("button[data-go=zoom]");
  var speed = root.querySelector("select");
  var current = last, timer = null, lit = [];
  function show(i) {
    i = Math.max(0, Math.min(last, i));
    var f = frames[i];
    Object.keys(gradText).forEach(function (id) { gradText[id].textContent = f.shown[id] || "grad \u2014"; });
    lit.forEach(function (el) { el.classList.remove("cr-active", "cr-flow"); });
    lit = [];
    if (f.active) [f.active, f.active + "_op"].forEach(function (id) {
      var el = part(id); if (el) { el.classList.add("cr-active"); lit.push(el); }
    });
    f.flowing.forEach(function (id) { var el = part(id); if (el) { el.classList.add("cr-flow"); lit.push(el); } });
    current = i;
    slider.value = i;
    count.textContent = (i + 1) + " / " + frames.length;
    caption.textContent = f.caption;
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } play.innerHTML = "&#x25B6; play"; play.setAttribute("aria-label", "play"); }
  function start() {
    if (current === last) show(0);
    play.innerHTML = "&#x2016; pause";
    play.setAttribute("aria-label", "pause");
    timer = setInterval(function () { if (current === last) stop(); else show(current + 1); },
                        data.interval / parseFloat(speed.value));
  }
  function go(action) {
    if (action === "play") { if (timer) stop(); else start(); return; }
    if (action === "zoom") {
      var zoomed = root.classList.toggle("cr-zoomed");
      root.classList.toggle("cr-fit", !zoomed);
      zoom.innerHTML = zoomed ? "1:1" : "fit";
      return;
    }
    stop();
    show({first: 0, back: current - 1, next: current + 1, last: last}[action]);
  }
  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-go]");
    if (button) { window.crPlayer = root; go(button.getAttribute("data-go")); }
  });
  root.addEventListener("pointerdown", function () { window.crPlayer = root; });
  root.addEventListener("focusin", function () { window.crPlayer = root; });
  if (!window.crPlayer) window.crPlayer = root;
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  speed.addEventListener("change", function () { if (timer) { stop(); start(); } });
  var keys = {" ": "next", ArrowRight: "next", PageDown: "next", ArrowLeft: "back", PageUp: "back",
              Home: "first", End: "last"};
  document.addEventListener("keydown", function (event) {
    var action = keys[event.key];
    if (!action || window.crPlayer !== root || event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if ((tag === "input" && event.target !== slider) || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    event.preventDefault();
    event.stopPropagation();
    go(action);
  }, true);
  show(0);
})();
