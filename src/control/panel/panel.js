// backscrub control panel. Plain ES2022, no framework, no build step, nothing fetched from
// elsewhere: it talks only to the JSON API of the backscrub that serves it (same origin; the
// cookie set by the printed address authenticates every request, so this file holds no token).
"use strict";

/** The defaults backscrub uses when a setting is left unset (see the README's options). */
const DEFAULTS = Object.freeze({
  blur: 12,
  tighten: [0.25, 0.75],
  lightWrap: 0.3,
  smooth: 0.8,
  color: "#3366cc",
});

/** How long after the last input a slider waits before it sends its value. */
const DEBOUNCE_MS = 150;

/** How long a control the user is moving ignores settings that arrive from the server. */
const HOLD_MS = 1200;

/** The order of the per-stage figures in the status table. */
const STAGES = ["grab", "decode", "prep", "infer", "post", "compose", "convert", "write"];

const byId = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The panel has no element #${id}`);
  return element;
};

const state = {
  /** The settings in force, as the server last said. */
  settings: null,
  /** `GET /api/backgrounds`' list. */
  backgrounds: [],
  /** The models the server offers. */
  models: [],
  /** The tightening range to send when the switch goes on again. */
  tighten: DEFAULTS.tighten,
  /** Control id → time (performance.now()) until which server settings leave it alone. */
  held: new Map(),
  /** Control id → the timer that shows it the settings in force once its hold ends. */
  releases: new Map(),
  /** The event stream, while open. */
  events: null,
};

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/**
 * One request to the API. A Blob body goes as it is; anything else as JSON.
 * Resolves to the answer's JSON; rejects with an ApiError carrying the server's `error` line.
 */
async function api(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin", cache: "no-store" };
  if (body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "Cannot reach backscrub: is it still running?");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    let message = data && typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
    if (response.status === 401) {
      message = "This page's session has ended: open the address backscrub printed again";
    } else if (response.status === 413) {
      message = data?.error ?? "The file is too large (at most 50 MB)";
    }
    throw new ApiError(response.status, message);
  }
  return data;
}

let changes = Promise.resolve();

/**
 * Sends a settings change. Changes go one after the other, in the order they were made; the
 * answer (the settings in force) updates every control. A refusal is shown and every control
 * goes back to the settings in force.
 */
function change(body) {
  const run = async () => {
    try {
      const settings = await api("PATCH", "/api/settings", body);
      clearMessage("error");
      applySettings(settings);
      return true;
    } catch (error) {
      showMessage(error.message, "error");
      state.held.clear();
      try {
        applySettings(await api("GET", "/api/settings"), { force: true });
      } catch {
        if (state.settings) applySettings(state.settings, { force: true });
      }
      return false;
    }
  };
  changes = changes.then(run, run);
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Messages

function showMessage(text, kind = "error") {
  const box = byId("message");
  byId("message-text").textContent = text;
  box.classList.toggle("message-info", kind === "info");
  box.dataset.kind = kind;
  box.hidden = false;
}

/** Hides the message area, or only a message of this kind. */
function clearMessage(kind) {
  const box = byId("message");
  if (kind === undefined || box.dataset.kind === kind) {
    box.hidden = true;
    box.dataset.kind = "";
  }
}

// ---------------------------------------------------------------------------------------------
// Settings → controls

/**
 * Leaves control `id` alone for `ms` while the user moves it. Settings that arrive meanwhile (a
 * change made elsewhere) are shown on it once the hold ends: the control never stays out of date.
 */
function hold(id, ms = HOLD_MS) {
  state.held.set(id, performance.now() + ms);
  clearTimeout(state.releases.get(id));
  state.releases.set(
    id,
    setTimeout(() => {
      state.releases.delete(id);
      if (!isHeld(id) && state.settings) applySettings(state.settings);
    }, ms + 50),
  );
}

function isHeld(id) {
  const until = state.held.get(id);
  return until !== undefined && until > performance.now();
}

function setValue(id, value, force) {
  const element = byId(id);
  if (!force && isHeld(id)) return;
  if (element.type === "checkbox") element.checked = Boolean(value);
  else if (element.value !== String(value)) element.value = String(value);
}

function setText(id, text) {
  const element = byId(id);
  if (element.textContent !== text) element.textContent = text;
}

/** Which tile a background spec selects: off, blur, color, or a name from the list. */
function backgroundKey(background) {
  if (background === "off") return "off";
  if (/^(bg)?blur(:\d+)?$/i.test(background)) return "blur";
  if (/^#[0-9a-f]{6}$/i.test(background)) return "color";
  return background;
}

function blurStrength(background) {
  const match = /^(?:bg)?blur(?::(\d+))?$/i.exec(background);
  if (!match) return null;
  return match[1] === undefined ? DEFAULTS.blur : Number(match[1]);
}

function describeBackground(background) {
  const key = backgroundKey(background);
  if (key === "off") return "none (the camera as it is)";
  if (key === "blur") return `blur, strength ${blurStrength(background)}`;
  if (key === "color") return `colour ${background.toLowerCase()}`;
  const entry = state.backgrounds.find((b) => b.name === background);
  return entry?.label ? `${entry.label} (${entry.name})` : background;
}

function markBackground(background) {
  const key = backgroundKey(background);
  for (const tile of document.querySelectorAll("#backgrounds [data-background]")) {
    tile.setAttribute("aria-pressed", String(tile.dataset.background === key));
  }
  setText("background-current", describeBackground(background));
}

function ensureOption(select, value, label) {
  if (![...select.options].some((o) => o.value === value)) {
    const option = new Option(label, value);
    select.add(option);
  }
}

function fixed(value, digits) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** Shows the settings in force on every control (except one the user is moving, unless force). */
function applySettings(settings, { force = false } = {}) {
  if (!settings || typeof settings !== "object") return;
  state.settings = settings;
  const background = String(settings.background ?? "");
  markBackground(background);

  const strength = blurStrength(background);
  if (strength !== null) {
    setValue("blur-strength", strength, force);
    if (force || !isHeld("blur-strength")) setText("blur-value", String(strength));
  }
  if (backgroundKey(background) === "color") {
    const colour = background.toLowerCase();
    setValue("color", colour, force);
    if (force || !isHeld("color")) showColour(colour);
  }

  setValue("mirror", settings.mirror, force);
  setValue("flip", settings.flip, force);
  setValue("frame", settings.frame === "auto", force);
  const zoom = settings["frame-zoom"];
  if (typeof zoom === "number") {
    setValue("frame-zoom", zoom, force);
    if (force || !isHeld("frame-zoom")) setText("frame-zoom-value", zoomText(zoom));
  }
  showFrameZoom();

  const model = byId("model");
  if (typeof settings.model === "string" && settings.model !== "") {
    ensureOption(model, settings.model, settings.model);
    setValue("model", settings.model, force);
  }

  const fps = byId("fps");
  if (typeof settings.fps === "number") {
    ensureOption(fps, String(settings.fps), `${settings.fps} fps`);
    setValue("fps", String(settings.fps), force);
  } else {
    setValue("fps", "", force);
  }

  if (typeof settings.smooth === "number") {
    setValue("smooth", settings.smooth, force);
    if (force || !isHeld("smooth")) setText("smooth-value", settings.smooth.toFixed(2));
  }

  const tighten = Array.isArray(settings.tighten) ? settings.tighten : null;
  if (tighten) state.tighten = tighten;
  setValue("tighten", tighten !== null, force);
  setText("tighten-range", tighten ? `${tighten[0]}–${tighten[1]}` : "");

  const wrap = settings["light-wrap"];
  if (force || !isHeld("light-wrap")) {
    setValue("light-wrap", typeof wrap === "number" ? wrap : DEFAULTS.lightWrap, true);
    setText("light-wrap-value", typeof wrap === "number" ? wrap.toFixed(2) : "auto");
  }

  if (typeof settings.upsample === "string") {
    ensureOption(byId("upsample"), settings.upsample, settings.upsample);
    setValue("upsample", settings.upsample, force);
  }
  setValue("despill", settings.despill ?? "off", force);

  showPrivacy(Boolean(settings.privacy), force);
}

function zoomText(zoom) {
  return `${zoom.toFixed(1)}×`;
}

/** Max zoom is a setting of auto-framing: it can be moved only while the switch is on. */
function showFrameZoom() {
  byId("frame-zoom").disabled = !byId("frame").checked;
}

function showPrivacy(on, force = false) {
  if (!force && isHeld("privacy")) return;
  const button = byId("privacy");
  button.setAttribute("aria-checked", String(on));
  setText("privacy-state", on ? "on: you are hidden" : "off");
  byId("privacy-badge").hidden = !on;
  document.title = on ? "backscrub · privacy on" : "backscrub";
}

function showColour(colour) {
  setText("color-value", colour);
  byId("color-swatch").style.background = colour;
}

// ---------------------------------------------------------------------------------------------
// The background picker

function tileFor(entry) {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "tile";
  button.dataset.background = entry.name;
  button.dataset.testid = `background-${entry.name}`;
  button.setAttribute("aria-pressed", "false");
  const label = typeof entry.label === "string" && entry.label !== "" ? entry.label : entry.name;
  const where = entry.source === "bundled"
    ? "bundled with backscrub"
    : entry.source === "uploaded"
    ? "added here"
    : "from your backgrounds folder";
  button.title = `${label}: ${entry.kind}, ${where}`;

  const art = document.createElement("span");
  art.className = "tile-art";
  const image = document.createElement("img");
  image.alt = "";
  image.loading = "lazy";
  image.decoding = "async";
  image.width = 160;
  image.height = 90;
  image.src = entry.thumbnail;
  art.append(image);
  if (entry.kind === "gif" || entry.kind === "video") {
    const kind = document.createElement("span");
    kind.className = "tile-kind";
    kind.setAttribute("aria-hidden", "true");
    kind.textContent = entry.kind === "gif" ? "GIF" : "Video";
    art.append(kind);
  }
  const name = document.createElement("span");
  name.className = "tile-name";
  name.textContent = label;
  if (entry.kind !== "image") {
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = entry.kind === "gif" ? " (animated GIF)" : " (video)";
    name.append(hidden);
  }
  button.append(art, name);
  item.append(button);
  return item;
}

function renderLibrary() {
  const images = state.backgrounds.filter((b) => b.kind === "image").map(tileFor);
  const videos = state.backgrounds.filter((b) => b.kind !== "image").map(tileFor);
  byId("tiles-images").replaceChildren(...images);
  byId("tiles-videos").replaceChildren(...videos);

  const model = byId("model");
  const current = state.settings?.model ?? model.value;
  model.replaceChildren(...state.models.map((name) => new Option(name, name)));
  if (current) {
    ensureOption(model, current, current);
    model.value = current;
  }
  if (state.settings) markBackground(String(state.settings.background ?? ""));
}

async function loadLibrary() {
  const library = await api("GET", "/api/backgrounds");
  state.backgrounds = Array.isArray(library?.backgrounds) ? library.backgrounds : [];
  state.models = Array.isArray(library?.models) ? library.models : [];
  renderLibrary();
}

async function pickBackground(tile) {
  const key = tile.dataset.background;
  let body;
  if (key === "off") body = { background: "off" };
  else if (key === "blur") body = { blur: Number(byId("blur-strength").value) };
  else if (key === "color") body = { color: byId("color").value };
  else body = { background: key };
  for (const other of document.querySelectorAll("#backgrounds [data-background]")) {
    other.setAttribute("aria-pressed", String(other === tile));
  }
  tile.setAttribute("aria-busy", "true");
  await change(body);
  tile.removeAttribute("aria-busy");
}

/**
 * A file name as a header value: percent-encoded (headers carry Latin-1 only; the server decodes
 * it). Only a label: the server never uses it as a path.
 */
function headerName(name) {
  return encodeURIComponent(name);
}

async function upload(files) {
  let added = null;
  const list = [...files];
  for (const [index, file] of list.entries()) {
    const count = list.length > 1 ? ` (${index + 1} of ${list.length})` : "";
    showMessage(`Adding “${file.name}”${count}…`, "info");
    try {
      added = await api("POST", "/api/backgrounds", file, { "X-Filename": headerName(file.name) });
    } catch (error) {
      showMessage(`Cannot add “${file.name}”: ${error.message}`, "error");
      added = null;
      break;
    }
  }
  try {
    await loadLibrary();
  } catch (error) {
    showMessage(error.message, "error");
    return;
  }
  if (added?.name) {
    clearMessage("info");
    if (await change({ background: added.name })) {
      document.querySelector(`#backgrounds [data-background="${CSS.escape(added.name)}"]`)
        ?.focus();
    }
  }
}

function wirePicker() {
  const picker = byId("backgrounds");
  picker.addEventListener("click", (event) => {
    const tile = event.target.closest("[data-background]");
    if (tile && picker.contains(tile)) pickBackground(tile);
  });

  const input = byId("upload-input");
  byId("upload").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (input.files && input.files.length > 0) upload(input.files);
    input.value = "";
  });

  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  let depth = 0;
  picker.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    picker.classList.add("dragging");
  });
  picker.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  picker.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) picker.classList.remove("dragging");
  });
  picker.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    picker.classList.remove("dragging");
    const files = event.dataTransfer?.files;
    if (files && files.length > 0) upload(files);
  });
  // A file dropped beside the picker must not make the browser leave the panel to show it.
  for (const type of ["dragover", "drop"]) {
    globalThis.addEventListener(type, (event) => {
      if (!picker.contains(event.target) && hasFiles(event)) event.preventDefault();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Controls → settings

/** A slider: its <output> follows at once, the value goes to the server once it rests. */
function wireSlider(id, outputId, format, body) {
  const slider = byId(id);
  let timer = 0;
  const send = () => {
    clearTimeout(timer);
    timer = 0;
    hold(id);
    change(body(Number(slider.value)));
  };
  slider.addEventListener("input", () => {
    hold(id);
    setText(outputId, format(Number(slider.value)));
    clearTimeout(timer);
    timer = setTimeout(send, DEBOUNCE_MS);
  });
  slider.addEventListener("change", () => {
    if (timer) send();
  });
  slider.addEventListener("pointerdown", () => hold(id));
}

function wireControls() {
  wireSlider("blur-strength", "blur-value", (v) => String(v), (v) => ({ blur: v }));
  wireSlider("smooth", "smooth-value", (v) => v.toFixed(2), (v) => ({ smooth: v }));
  wireSlider("light-wrap", "light-wrap-value", (v) => v.toFixed(2), (v) => ({ "light-wrap": v }));
  wireSlider("frame-zoom", "frame-zoom-value", zoomText, (v) => ({ "frame-zoom": v }));

  const colour = byId("color");
  let colourTimer = 0;
  colour.addEventListener("input", () => {
    hold("color");
    showColour(colour.value);
    clearTimeout(colourTimer);
    colourTimer = setTimeout(() => change({ color: colour.value }), DEBOUNCE_MS);
  });
  colour.addEventListener("change", () => {
    clearTimeout(colourTimer);
    change({ color: colour.value });
  });

  for (const id of ["mirror", "flip"]) {
    const box = byId(id);
    box.addEventListener("change", () => change({ [id]: box.checked }));
  }
  const frame = byId("frame");
  frame.addEventListener("change", () => {
    showFrameZoom();
    change({ frame: frame.checked ? "auto" : "off" });
  });
  byId("tighten").addEventListener("change", (event) => {
    const on = event.target.checked;
    change({ tighten: on ? `${state.tighten[0]},${state.tighten[1]}` : "off" });
  });

  const model = byId("model");
  model.addEventListener("change", async () => {
    model.setAttribute("aria-busy", "true");
    showMessage(`Loading the model “${model.value}”…`, "info");
    if (await change({ model: model.value })) clearMessage("info");
    model.removeAttribute("aria-busy");
  });
  const fps = byId("fps");
  fps.addEventListener(
    "change",
    () => change({ fps: fps.value === "" ? null : Number(fps.value) }),
  );
  const upsample = byId("upsample");
  upsample.addEventListener("change", () => change({ upsample: upsample.value }));
  const despill = byId("despill");
  despill.addEventListener("change", () => change({ despill: despill.value }));

  const privacy = byId("privacy");
  privacy.addEventListener("click", async () => {
    const on = privacy.getAttribute("aria-checked") !== "true";
    showPrivacy(on, true);
    hold("privacy");
    await change({ privacy: on });
    state.held.delete("privacy");
    if (state.settings) showPrivacy(Boolean(state.settings.privacy), true);
  });

  byId("light-wrap-auto").addEventListener("click", () => {
    state.held.delete("light-wrap");
    change({ "light-wrap": null });
  });

  byId("save").addEventListener("click", save);
  byId("message-close").addEventListener("click", () => clearMessage());
  byId("show-sources").addEventListener("change", () => {
    byId("sources").hidden = !byId("show-sources").checked;
    startStreams();
  });
}

async function save() {
  const button = byId("save");
  button.disabled = true;
  try {
    const answer = await api("POST", "/api/settings/save");
    const keys = answer?.saved && typeof answer.saved === "object" ? Object.keys(answer.saved) : [];
    const what = keys.length > 0 ? `${keys.length} setting${keys.length === 1 ? "" : "s"}` : "";
    setText(
      "save-result",
      `Saved ${what ? what + " " : ""}to ${answer?.path ?? "the settings file"}`,
    );
    byId("save-result").dataset.path = answer?.path ?? "";
  } catch (error) {
    showMessage(`Cannot save the settings: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// The preview: MJPEG streams, only while the page is visible (nothing is encoded otherwise)

const PREVIEW_FPS = 10;

function streamImages() {
  return [byId("preview"), byId("preview-camera"), byId("preview-mask")];
}

function setStream(image, on) {
  if (on && !image.dataset.live) {
    image.dataset.live = "1";
    image.src = `/api/preview.mjpeg?view=${image.dataset.view}&fps=${PREVIEW_FPS}&t=${Date.now()}`;
  } else if (!on && image.dataset.live) {
    delete image.dataset.live;
    image.removeAttribute("src");
  }
}

function startStreams() {
  const visible = document.visibilityState === "visible";
  const sources = byId("show-sources").checked;
  setStream(byId("preview"), visible);
  setStream(byId("preview-camera"), visible && sources);
  setStream(byId("preview-mask"), visible && sources);
}

function stopStreams() {
  for (const image of streamImages()) setStream(image, false);
}

function wirePreview() {
  const preview = byId("preview");
  preview.addEventListener("load", () => {
    byId("preview-empty").hidden = true;
  });
  for (const image of streamImages()) {
    image.addEventListener("error", () => {
      if (!image.dataset.live) return;
      if (image === preview) byId("preview-empty").hidden = false;
      // The stream broke (backscrub restarted, the network hiccuped): try again shortly.
      delete image.dataset.live;
      image.removeAttribute("src");
      setTimeout(startStreams, 2000);
    });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") startStreams();
    else stopStreams();
  });
  globalThis.addEventListener("pagehide", stopStreams);
  globalThis.addEventListener("pageshow", startStreams);
}

// ---------------------------------------------------------------------------------------------
// Status: the event stream

function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "–";
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0
    ? `${h} h ${String(m).padStart(2, "0")} min`
    : m > 0
    ? `${m} min ${rest} s`
    : `${s} s`;
}

function renderStages(stages) {
  const body = byId("status-stages").tBodies[0];
  const names = [...STAGES, ...Object.keys(stages ?? {}).filter((k) => !STAGES.includes(k))];
  const values = names.map((name) => stages?.[name]);
  const max = Math.max(1, ...values.filter((v) => typeof v === "number"));
  if (body.rows.length !== names.length) {
    body.replaceChildren(...names.map((name) => {
      const row = body.insertRow();
      row.dataset.stage = name;
      const head = document.createElement("th");
      head.scope = "row";
      head.textContent = name;
      row.append(head);
      row.insertCell().className = "num";
      const bar = document.createElement("span");
      bar.className = "stage-bar";
      row.insertCell().append(bar);
      return row;
    }));
  }
  values.forEach((value, index) => {
    const row = body.rows[index];
    const ran = typeof value === "number";
    row.classList.toggle("not-run", !ran);
    row.cells[1].textContent = ran ? value.toFixed(1) : "—";
    row.cells[2].firstElementChild.style.width = ran
      ? `${Math.min(100, (value / max) * 100)}%`
      : "0";
  });
}

/** A device's description without the device's name again when it starts with it. */
function detail(device, description) {
  if (typeof description !== "string") return "";
  if (typeof device === "string" && device !== "" && description.startsWith(device)) {
    return description.slice(device.length).replace(/^[\s:,]+/, "");
  }
  return description;
}

function renderStatus(status) {
  if (!status || typeof status !== "object") return;
  setText("status-fps", fixed(status.fps, 1));
  setText("status-model-fps", fixed(status.modelFps, 1));
  setText("status-cpu", typeof status.cpu === "number" ? `${Math.round(status.cpu)} %` : "–");
  setText(
    "status-frames",
    typeof status.frames === "number" ? status.frames.toLocaleString("en-US") : "–",
  );
  const camera = status.camera;
  setText("status-camera", camera?.device ?? "–");
  setText("status-camera-desc", detail(camera?.device, camera?.description));
  const virtual = status.virtual;
  setText("status-virtual", virtual?.device ?? "none");
  const readers = typeof virtual?.readers === "number"
    ? ` · ${virtual.readers} program${virtual.readers === 1 ? "" : "s"} reading`
    : "";
  setText("status-virtual-desc", `${detail(virtual?.device, virtual?.description)}${readers}`);
  setText("status-uptime", duration(status.uptime));
  renderStages(status.stages);

  const paused = Boolean(status.paused || status.camera?.paused);
  byId("paused-badge").hidden = !paused;
  const pill = byId("status-state");
  // The camera lost, busy or silent: the call sees the notice (backscrub looks for the camera).
  const away = typeof camera?.state === "string" && camera.state !== "streaming";
  const [text, kind] = paused
    ? ["Paused: no program is reading the virtual camera", "pill-warn"]
    : away
    ? [`Camera ${camera.state}: ${camera.problem ?? "waiting for it"}`, "pill-bad"]
    : status.privacy
    ? ["Privacy on", "pill-bad"]
    : ["Running", "pill-ok"];
  setText("status-state", text);
  pill.className = `pill ${kind}`;
  pill.dataset.state = paused ? "paused" : away ? "camera" : status.privacy ? "privacy" : "running";
}

function setConnection(kind, text) {
  const pill = byId("connection");
  pill.className = `pill ${kind}`;
  pill.dataset.state = kind.replace("pill-", "");
  setText("connection", text);
}

function connectEvents() {
  state.events?.close();
  const events = new EventSource("/api/events");
  state.events = events;
  events.addEventListener("open", () => setConnection("pill-ok", "Live"));
  events.addEventListener("status", (event) => {
    try {
      renderStatus(JSON.parse(event.data));
    } catch {
      // A broken event: the next one comes within a second.
    }
  });
  events.addEventListener("settings", (event) => {
    try {
      applySettings(JSON.parse(event.data));
    } catch {
      // Ignored likewise.
    }
  });
  events.addEventListener("error", async () => {
    if (events.readyState === EventSource.CONNECTING) {
      setConnection("pill-warn", "Reconnecting…");
      return;
    }
    // Closed for good (an HTTP error): find out why, then try again later.
    setConnection("pill-bad", "Not connected");
    try {
      await api("GET", "/api/status");
    } catch (error) {
      if (error.status === 401) {
        showMessage(error.message, "error");
        return;
      }
    }
    setTimeout(() => {
      if (state.events === events) connectEvents();
    }, 3000);
  });
}

// ---------------------------------------------------------------------------------------------

async function start() {
  wireControls();
  wirePicker();
  wirePreview();
  showColour(byId("color").value);
  try {
    const [settings] = await Promise.all([api("GET", "/api/settings"), loadLibrary()]);
    applySettings(settings, { force: true });
    renderStatus(await api("GET", "/api/status"));
  } catch (error) {
    showMessage(error.message, "error");
  }
  connectEvents();
  startStreams();
  document.body.dataset.ready = "true";
}

start();
