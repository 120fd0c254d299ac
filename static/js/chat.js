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

  function add(kind, text, works) {
    const item = document.createElement("div");
    item.className = kind === "user" ? "chat-user" : "chat-bot";
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = kind === "user" ? "Tú: " : "Respuesta: ";
    item.appendChild(who);
    const p = document.createElement("p");
    p.className = "chat-text";
    // Links in the text become the work list below; the text itself is shown as plain text.
    p.textContent = text;
    item.appendChild(p);
    if (works && works.length) {
      const list = document.createElement("ul");
      list.className = "chat-works";
      for (const w of works) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = w.url;
        a.textContent = w.name;
        li.appendChild(a);
        list.appendChild(li);
      }
      item.appendChild(list);
    }
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
