// The candidate page's LinkedIn Recruiter box. Connect first makes sure LinkedIn holds the
// candidate (its profile plugin knows only synced candidates), then opens the plugin; the
// plugin's link and unlink callbacks tell hirebridge, which answers with what it did.
// Without JavaScript the same forms post and the server redirects back.
(() => {
  "use strict";

  const box = document.getElementById("linkedin");
  if (!box) return;

  function showError(text) {
    const line = document.getElementById("linkedin-connect-error");
    line.textContent = text;
    line.hidden = false;
    const status = document.getElementById("linkedin-widget-status");
    if (status) {
      status.textContent = text;
      status.classList.add("error");
      status.hidden = false;
    }
  }

  function showDuplicates(duplicates) {
    const line = document.getElementById("linkedin-connect-error");
    const list = document.createElement("ul");
    for (const duplicate of duplicates || []) {
      const item = document.createElement("li");
      const open = document.createElement("a");
      open.href = duplicate.url;
      open.textContent = duplicate.name;
      const merge = document.createElement("a");
      merge.href = duplicate.merge_url;
      merge.textContent = "Merge…";
      item.append(open, " · ", merge);
      list.append(item);
    }
    line.append(list);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": box.dataset.csrfToken,
      },
      body: JSON.stringify(body || {}),
    });
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = new Error(reply.error || `hirebridge answered ${response.status}`);
      failure.reply = reply;
      throw failure;
    }
    return reply;
  }

  function forThisCandidate(payload) {
    if (payload && payload.atsCandidateId && payload.atsCandidateId !== box.dataset.candidateId) {
      showError("LinkedIn reported another candidate; nothing was changed.");
      return false;
    }
    return true;
  }

  const connectForm = box.querySelector("form.connect-form");
  if (connectForm) {
    connectForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = connectForm.querySelector("button");
      button.disabled = true;
      try {
        await post(box.dataset.prepareUrl);
        window.location.assign(box.dataset.widgetUrl);
      } catch (failure) {
        showError(failure.message);
        button.disabled = false;
      }
    });
  }

  window.hirebridgeProfileLinked = async (payload) => {
    if (!forThisCandidate(payload)) return;
    try {
      await post(box.dataset.connectUrl, { member: payload && payload.member });
      window.location.assign(box.dataset.candidateUrl);
    } catch (failure) {
      showError(failure.message);
    }
  };

  window.hirebridgeProfileUnlinked = async (payload) => {
    if (!forThisCandidate(payload)) return;
    try {
      await post(box.dataset.disconnectUrl);
      window.location.assign(box.dataset.candidateUrl);
    } catch (failure) {
      showError(failure.message);
      showDuplicates(failure.reply && failure.reply.duplicates);
    }
  };
})();
