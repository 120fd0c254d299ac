// The web chat: the same conversation engine as WhatsApp, through /chat/mensaje (chat.views).
(function () {
  "use strict";
  const section = document.querySelector(".chat");
  if (!section) return;
  const endpoint = section.dataset.endpoint;
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const status = document.getElementById("chat-status");
  const options = document.getElementById("chat-options");
  const locate = document.getElementById("chat-locate");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  // A random id for this tab's conversation (the server keeps only a short-lived cursor under its hash).
  let conversation = sessionStorage.getItem("chatConversation");
  if (!conversation) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    conversation = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("chatConversation", conversation);
  }

  // Site links in a reply ("/obras/12/", "https://…/zonas/3/") become links in place, labelled by what
  // they open (and, for a listed work, named after it for screen readers).
  const LINK = /(https?:\/\/[^\s]+|\/(?:obras|zonas|municipios|consultas|reportes)\/[^\s]*)/g;

  function linkLabel(url) {
    if (/\/zonas\//.test(url)) return "Ver la zona";
    if (/\/obras\//.test(url)) return "Ver la obra";
    return url;
  }

  function appendText(parent, text, names) {
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement("a");
      a.href = match[0];
      a.textContent = linkLabel(match[0]);
      // The work's name is the line above on screen; a screen reader listing links hears it too.
      if (names.has(match[0])) a.setAttribute("aria-label", a.textContent + ": " + names.get(match[0]));
      parent.appendChild(a);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function add(kind, text, works) {
    const item = document.createElement("div");
    item.className = kind === "user" ? "chat-user" : "chat-bot";
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = kind === "user" ? "Tú: " : "Respuesta: ";
    item.appendChild(who);
    const p = document.createElement("p");
    p.className = "chat-text";
    if (kind === "user") {
      p.textContent = text;  // what the person typed, never turned into links
    } else {
      appendText(p, text, new Map((works || []).map((w) => [w.url, w.name])));
    }
    item.appendChild(p);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function showOptions(list) {
    options.replaceChildren();
    for (const option of list || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button chat-option";
      button.textContent = option.title;
      button.addEventListener("click", () => send({ text: option.id }, option.title));
      options.appendChild(button);
    }
  }

  async function send(message, shown) {
    add("user", shown);
    status.textContent = "Buscando…";
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ conversation, ...message }),
        credentials: "same-origin",
      });
      const data = await response.json();
      if (!response.ok) {
        add("bot", data.detail || "No se pudo responder. Intenta de nuevo.");
        showOptions([]);
      } else {
        add("bot", data.reply, data.works);
        showOptions(data.options);
      }
    } catch (error) {
      add("bot", "Sin conexión con el servidor. Intenta de nuevo.");
    }
    status.textContent = "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      status.textContent = "Escribe un mensaje.";
      input.focus();
      return;
    }
    input.value = "";
    send({ text }, text);
    input.focus();
  });

  locate.addEventListener("click", () => {
    if (!navigator.geolocation) {
      status.textContent = "Tu navegador no permite compartir la ubicación; escribe tu municipio.";
      return;
    }
    status.textContent = "Obteniendo tu ubicación…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const lon = Math.round(position.coords.longitude * 1e5) / 1e5;
        const lat = Math.round(position.coords.latitude * 1e5) / 1e5;
        send({ lon, lat }, "📍 Mi ubicación");
      },
      () => {
        status.textContent = "No se pudo obtener tu ubicación. Escribe tu municipio o tu código postal.";
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
})();
