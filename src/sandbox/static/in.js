/* LinkedIn's JS SDK loader, as the sandbox serves it. The page writes
     <script src="{base}/xdoor/scripts/in.js">
     api_key: {child app client id}
     extensions: Name@{base}/rsc/extensions/…, …
     </script>
   The loader asks LinkedIn whether this page's origin may use the api_key, loads the
   extensions (each registers one <script type="IN/Name"> tag type), and puts a widget iframe
   after every such tag. A refusal is shown in place of every tag, never as a blank box. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var settings = readSettings(script.textContent || "");
  var registered = {};
  var frames = [];

  function readSettings(text) {
    var values = {};
    var current = null;
    text.split(/\r?\n/).forEach(function (line) {
      var pair = /^\s*([A-Za-z_]+)\s*:(.*)$/.exec(line);
      if (pair) {
        current = pair[1];
        values[current] = pair[2];
      } else if (current) {
        values[current] += " " + line;
      }
    });
    var extensions = (values.extensions || "").split(",").map(function (item) {
      var at = item.trim().indexOf("@");
      return at > 0 ? { name: item.trim().slice(0, at), url: item.trim().slice(at + 1) } : null;
    }).filter(Boolean);
    return { apiKey: (values.api_key || "").trim(), extensions: extensions };
  }

  function tags(name) {
    var selector = name ? 'script[type="IN/' + name + '"]' : 'script[type^="IN/"]';
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function refuse(tagList, message) {
    tagList.forEach(function (tag) {
      var box = document.createElement("div");
      box.className = "IN-widget-refused";
      box.setAttribute("role", "alert");
      box.textContent = "LinkedIn: " + message;
      tag.replaceWith(box);
    });
  }

  function width(value) {
    if (/^\d+$/.test(value || "")) return value + "px";
    return "100%";
  }

  function render(name) {
    var spec = registered[name];
    tags(name).forEach(function (tag) {
      if (tag.hasAttribute("data-in-rendered")) return;
      tag.setAttribute("data-in-rendered", "");
      var query = new URLSearchParams({ api_key: settings.apiKey, origin: location.origin });
      Object.keys(spec.params).forEach(function (attribute) {
        if (tag.hasAttribute(attribute)) query.set(spec.params[attribute], tag.getAttribute(attribute));
      });
      var frame = document.createElement("iframe");
      frame.className = "IN-widget";
      frame.title = "LinkedIn " + name;
      frame.src = base + spec.path + "?" + query.toString();
      frame.style.width = width(tag.getAttribute("data-width"));
      frame.style.height = "160px";
      frame.style.border = "0";
      tag.after(frame);
      frames.push({ frame: frame, tag: tag, callbacks: spec.callbacks });
    });
  }

  function onMessage(event) {
    if (event.origin !== base) return;
    var owner = frames.find(function (item) { return item.frame.contentWindow === event.source; });
    var data = event.data;
    if (!owner || !data || typeof data !== "object") return;
    if (data.type === "IN.resize" && typeof data.height === "number" && data.height > 0) {
      owner.frame.style.height = Math.ceil(data.height) + "px";
    } else if (data.type === "IN.callback" && owner.callbacks.indexOf(data.callback) >= 0) {
      var handler = window[owner.tag.getAttribute("data-" + data.callback) || ""];
      if (typeof handler === "function") handler(data.payload);
    }
  }

  function loadExtension(extension) {
    var url;
    try {
      url = new URL(extension.url, base);
    } catch (error) {
      url = null;
    }
    if (!url || url.origin !== base) {
      refuse(tags(extension.name), "the extension " + extension.name + " must load from " + base);
      return;
    }
    var tag = document.createElement("script");
    tag.src = url.href;
    tag.onload = function () {
      if (!registered[extension.name]) {
        refuse(tags(extension.name), extension.url + " did not register " + extension.name);
      }
    };
    tag.onerror = function () {
      refuse(tags(extension.name), "could not load the extension " + extension.url);
    };
    document.head.appendChild(tag);
  }

  function refuseUnlisted() {
    tags().forEach(function (tag) {
      var name = tag.type.slice(3);
      var listed = settings.extensions.some(function (extension) { return extension.name === name; });
      if (!listed) refuse([tag], "no extension for IN/" + name + " is listed after in.js");
    });
  }

  window.IN = window.IN || {};
  window.IN.Extensions = {
    register: function (name, spec) {
      registered[name] = spec;
      render(name);
    }
  };

  function start() {
    fetch(base + "/xdoor/sdk/config?api_key=" + encodeURIComponent(settings.apiKey), {
      credentials: "omit"
    }).then(function (reply) {
      return reply.json().then(function (body) {
        if (!reply.ok) throw new Error(body.message || "refused with status " + reply.status);
        window.addEventListener("message", onMessage);
        refuseUnlisted();
        settings.extensions.forEach(loadExtension);
      });
    }).catch(function (error) {
      refuse(tags(), error instanceof TypeError ? "could not reach " + base : error.message);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
