// Callbacks LinkedIn's widgets call on this page, named in their data-on… attributes. Each
// tells the user what happened in the status line; the configuration plugin's one also hands
// the reported organization and contracts to hirebridge.
(() => {
  "use strict";

  function showStatus(text, failed) {
    const line = document.getElementById("linkedin-widget-status");
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("error", Boolean(failed));
    line.hidden = false;
  }

  function postingTitle(jobId) {
    const titles = document.getElementById("hirebridge-posting-titles");
    const known = titles ? JSON.parse(titles.textContent) : {};
    return known[jobId] || "the posting";
  }

  function csrfToken(section) {
    if (section.dataset.csrfToken) return section.dataset.csrfToken;
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  }

  window.hirebridgeIntegrationRequest = async (integrations) => {
    const section = document.querySelector("[data-onboarding-url]");
    if (!section) return;
    showStatus("Storing what LinkedIn reported…");
    let reply = {};
    let response;
    try {
      response = await fetch(section.dataset.onboardingUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(section) },
        body: JSON.stringify(integrations),
      });
      reply = await response.json().catch(() => ({}));
    } catch (failure) {
      showStatus(`hirebridge did not answer: ${failure}`, true);
      return;
    }
    if (!response.ok) {
      showStatus(reply.error || `hirebridge answered ${response.status}`, true);
      return;
    }
    const contracts = reply.contracts.length;
    showStatus(
      `Connected ${reply.organization} and ${contracts} contract${contracts === 1 ? "" : "s"}; ` +
        "integrations registered with LinkedIn. Reloading…",
    );
    window.setTimeout(() => window.location.reload(), 1500);
  };

  window.hirebridgeSavedToJob = (payload) => {
    const title = postingTitle(payload && payload.jobId);
    showStatus(`Saved to ${title}: the lead arrives in New lead shortly.`);
  };

  window.hirebridgeInmailSent = () => {
    showStatus("InMail sent: its history arrives with the next LinkedIn sync.");
  };
})();
