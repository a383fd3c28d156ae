/*
 * cohort.js: the participant page's side of Cohort. Reads its settings from the page's
 * <script type="application/json" id="cohort-config">, then offers the global `cohort`:
 *   cohort.save({key: value, ...})   Promise; stores each value as the field's new value
 *   cohort.append("trials", {...})   Promise; appends one record to that field's history
 *   cohort.next()                    leaves this page for the next one
 *   cohort.complete()                goes to the end of the study
 *   cohort.settings, cohort.fields   the session's settings and the participant's current fields
 * It also keeps a socket open (online status; the admin's advance, reload, message and redirect; plugins'
 * contributions added to or removed from the open page), polls on wait pages, and tells the server when the page is
 * closed. A contribution taken out fires "cohort:contribution-removed" on document, its id in event.detail.id.
 */
(function () {
  "use strict";
  var configElement = document.getElementById("cohort-config");
  var config = configElement ? JSON.parse(configElement.textContent) : {};
  var base = config.base || location.pathname;
  // Set when the page itself moves on (a form submit, next, complete, an admin's reload): not a quit.
  var leaving = false;

  function post(path, body) {
    return fetch(base + path, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body === undefined ? {} : body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          throw new Error((json && json.error) || ("HTTP " + response.status));
        }
        return json;
      });
    });
  }

  function reload() {
    leaving = true;
    location.replace(base);
  }

  function showMessage(text) {
    var banner = document.getElementById("cohort-banner");
    var textElement = document.getElementById("cohort-banner-text");
    if (!banner || !textElement) {
      alert(String(text));
      return;
    }
    textElement.textContent = String(text);   // text, never markup
    banner.hidden = false;
  }

  // A notice left by the previous page (see onCommand), shown once.
  document.addEventListener("DOMContentLoaded", function () {
    var notice = null;
    try {
      notice = sessionStorage.getItem("cohort.notice");
      sessionStorage.removeItem("cohort.notice");
    } catch (e) { /* private mode */ }
    if (notice) {
      showMessage(notice);
    }
  });

  function isHttpUrl(url) {
    try {
      var parsed = new URL(String(url), location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:";
    } catch (e) {
      return false;
    }
  }

  /** Script elements put in by innerHTML never run: each is replaced by a new one that does. */
  function runScripts(node) {
    var scripts = node.querySelectorAll ? node.querySelectorAll("script") : [];
    var all = node.tagName === "SCRIPT" ? [node] : Array.prototype.slice.call(scripts);
    all.forEach(function (old) {
      var script = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) { script.setAttribute(a.name, a.value); });
      script.textContent = old.textContent;
      old.parentNode.replaceChild(script, old);
    });
  }

  /** The head's nodes of contribution {@code id}: those between its two comments (see ParticipantPages). */
  function headNodes(id) {
    var nodes = [];
    var inside = false;
    Array.prototype.slice.call(document.head.childNodes).forEach(function (n) {
      if (n.nodeType === 8 && n.data === "cohort-contribution " + id) {
        inside = true;
      }
      if (inside) {
        nodes.push(n);
      }
      if (n.nodeType === 8 && n.data === "/cohort-contribution " + id) {
        inside = false;
      }
    });
    return nodes;
  }

  function removeContribution(id, quiet) {
    var found = headNodes(id);
    found.forEach(function (n) { n.parentNode.removeChild(n); });
    document.querySelectorAll("[data-contribution]").forEach(function (element) {
      if (element.getAttribute("data-contribution") === id) {
        element.parentNode.removeChild(element);
        found.push(element);
      }
    });
    if (!quiet && found.length) {
      document.dispatchEvent(new CustomEvent("cohort:contribution-removed", {detail: {id: id}}));
    }
  }

  function addContribution(command) {
    var id = String(command.contribution);
    removeContribution(id, true);
    var head = document.createElement("template");
    head.innerHTML = command.head || "";
    var headParts = Array.prototype.slice.call(head.content.childNodes);
    headParts.forEach(function (n) { document.head.appendChild(n); });
    headParts.forEach(runScripts);
    var body = document.createElement("template");
    body.innerHTML = command.body || "";
    var bodyParts = Array.prototype.slice.call(body.content.childNodes);
    var parent = document.querySelector("main") || document.body;
    bodyParts.forEach(function (n) { parent.appendChild(n); });
    bodyParts.forEach(runScripts);
  }

  function onCommand(command) {
    if (!command || typeof command.type !== "string") {
      return;
    }
    if (command.type === "advance" || command.type === "reload") {
      // Why the page moved on (a group let go without a member who met an error): shown on the next page.
      if (command.notice) {
        try { sessionStorage.setItem("cohort.notice", String(command.notice)); } catch (e) { /* private mode */ }
      }
      reload();
    } else if (command.type === "message") {
      showMessage(command.text || "");
    } else if (command.type === "contribution") {
      addContribution(command);
    } else if (command.type === "contribution-removed") {
      removeContribution(String(command.contribution), false);
    } else if (command.type === "redirect") {
      if (isHttpUrl(command.url)) {
        leaving = true;
        location.href = new URL(String(command.url), location.href).href;
      }
    }
  }

  /** Whether this browser tab already carried out command {@code id} (remembered across its reloads). */
  function seen(id) {
    var done = [];
    try { done = JSON.parse(sessionStorage.getItem("cohort.commands") || "[]"); } catch (e) { done = []; }
    if (done.indexOf(id) >= 0) {
      return true;
    }
    done.push(id);
    try { sessionStorage.setItem("cohort.commands", JSON.stringify(done.slice(-100))); } catch (e) { /* private mode */ }
    return false;
  }

  var socket = null;
  var retry = 1000;
  function connect() {
    if (!config.socket || !window.WebSocket) {
      return;
    }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + config.socket);
    socket.onopen = function () {
      retry = 1000;
      // Asks for the commands kept while no socket was open; "since" leaves out a reload meant for an older page.
      try { socket.send(JSON.stringify({hello: config.since || null})); } catch (e) { /* closed again */ }
    };
    socket.onmessage = function (event) {
      var command;
      try {
        command = JSON.parse(event.data);
      } catch (e) {
        return; // not a command
      }
      // Commands are kept for the page until it says it has one; the event and a reconnect may both bring it.
      if (command && command.id !== undefined) {
        try { socket.send(JSON.stringify({ack: command.id})); } catch (e) { /* sent again on the next connect */ }
        if (seen(command.id)) {
          return;
        }
      }
      // A moment for the acknowledgement to leave before a reload or redirect closes the socket.
      setTimeout(function () { onCommand(command); }, 50);
    };
    socket.onclose = function (event) {
      if (leaving) {
        return;
      }
      if (event && event.code === 1012) {
        // The node is stopping and said so: another one takes the page now (spread, not all at once).
        setTimeout(connect, 100 + Math.random() * 900);
        return;
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  // The socket brings the wait page's release; this catches one that was missed.
  function pollWhileWaiting() {
    setInterval(function () {
      fetch(base + "state", {credentials: "same-origin", cache: "no-store"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) {
          if (state && state.page !== config.page) {
            reload();
          }
        })
        .catch(function () {});
    }, 5000);
  }

  window.addEventListener("pagehide", function () {
    if (!leaving && navigator.sendBeacon) {
      navigator.sendBeacon(base + "quit", JSON.stringify({load: config.load}));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("cohort-form");
    if (form) {
      form.addEventListener("submit", function () { leaving = true; });
    }
    var close = document.getElementById("cohort-banner-close");
    if (close) {
      close.addEventListener("click", function () { document.getElementById("cohort-banner").hidden = true; });
    }
  });

  window.cohort = {
    settings: config.settings || {},
    fields: config.fields || {},
    page: config.page,
    pageName: config.pageName,
    save: function (values) {
      return post("save", values);
    },
    append: function (key, record) {
      return post("append", {key: key, record: record});
    },
    next: function () {
      leaving = true;
      return post("next", {page: config.page}).then(function (result) {
        location.replace(base);
        return result;
      }, function (error) {
        leaving = false;
        throw error;
      });
    },
    complete: function () {
      leaving = true;
      return post("complete").then(function (result) {
        location.replace(base);
        return result;
      }, function (error) {
        leaving = false;
        throw error;
      });
    },
    showMessage: showMessage
  };

  if (config.base) {
    connect();
    if (config.kind === "wait") {
      pollWhileWaiting();
    }
  }
})();
