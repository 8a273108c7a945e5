// Files go straight to storage through the grant flow (docs: POST /api/uploads/generate-url,
// PUT the bytes to the URL it returns, POST /api/uploads/{id}/complete), with progress.
//
// Declarative use: <input type="file" data-upload="resume" data-into="resume_url">
// sets the named field to the finished file's URL (data-then="submit" then saves the form);
// data-upload-list="attachments" adds one item per file to that list (title, type, url, and
// filename, content_type, size where the item has such fields). Any purpose of
// server/uploads/purposes.py works, e.g. data-upload="order_file" for an order's files.
// A <progress> next to the input shows how far each file is.

import { api, ApiError, el, toast } from "./api.js";

const FORBIDDEN_HEADERS = new Set(["content-length", "host", "connection"]);
const BY_EXTENSION = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
};

export function contentType(file) {
  if (file.type) return file.type;
  const ext = file.name.split(".").pop().toLowerCase();
  return BY_EXTENSION[ext] || "application/octet-stream";
}

export function kindOf(type) {
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  return "document";
}

function put(request, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers || {})) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new ApiError(xhr.status, { detail: `the storage refused the file (${xhr.status})` })),
    );
    // A network failure (or a store that refused this page's origin) reads the same to a
    // script; name the store, so a refusal points at its address.
    xhr.addEventListener("error", () =>
      reject(new ApiError(0, { detail: `the upload to ${new URL(request.url, location.href).host} was interrupted` })),
    );
    xhr.send(file);
  });
}

export async function uploadFile(file, purpose, onProgress = () => {}) {
  const type = contentType(file);
  const grant = await api("POST", "/api/uploads/generate-url", {
    purpose,
    filename: file.name,
    content_type: type,
    size: file.size,
  });
  onProgress(0);
  await put(grant.upload_request, file, onProgress);
  onProgress(1);
  return api("POST", `/api/uploads/${grant.upload.id}/complete`);
}

function progressFor(input) {
  let bar = input.parentElement.querySelector("progress.upload-progress");
  if (!bar) {
    bar = el("progress", { class: "upload-progress", max: "1", value: "0", "aria-label": "Upload progress" });
    input.insertAdjacentElement("afterend", bar);
  }
  bar.hidden = false;
  return bar;
}

function addToList(form, listName, upload) {
  const list = form.querySelector(`[data-list="${listName}"]`);
  const fragment = list.querySelector("template").content.cloneNode(true);
  const item = fragment.querySelector("[data-item]");
  // title/type/url for media lists; filename/content_type/size for lists that keep a file's
  // own description (an order's files: {url, filename, content_type, size}).
  const values = {
    title: upload.filename,
    type: kindOf(upload.content_type),
    url: upload.url,
    filename: upload.filename,
    content_type: upload.content_type,
    size: upload.size,
  };
  for (const [name, value] of Object.entries(values)) {
    const field = item.querySelector(`[name="${name}"]`);
    if (field) field.value = value;
  }
  const preview = item.querySelector("[data-preview]");
  if (preview) preview.textContent = upload.filename;
  list.querySelector("[data-items]").append(fragment);
}

async function handle(input) {
  const form = input.form;
  for (const file of [...input.files]) {
    const bar = progressFor(input);
    const status = input.parentElement.querySelector("[data-upload-status]");
    if (status) status.textContent = `Uploading ${file.name}…`;
    try {
      const upload = await uploadFile(file, input.dataset.upload, (fraction) => {
        bar.value = fraction;
      });
      if (input.dataset.into) form.querySelector(`[name="${input.dataset.into}"]`).value = upload.url;
      if (input.dataset.uploadList) addToList(form, input.dataset.uploadList, upload);
      if (status) status.textContent = `Uploaded ${file.name}`;
      input.dispatchEvent(new CustomEvent("upload:done", { detail: upload, bubbles: true }));
      if (input.dataset.then === "submit") form.requestSubmit();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const detail = error.problem.errors?.map((e) => e.message).join("; ") || error.message;
      if (status) status.textContent = `${file.name}: ${detail}`;
      toast(`${file.name}: ${detail}`, "error");
      bar.hidden = true;
    }
  }
  input.value = "";
}

document.addEventListener("change", (event) => {
  const input = event.target.closest("input[type=file][data-upload]");
  if (input) handle(input);
});
