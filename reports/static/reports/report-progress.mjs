// The report progress page updates itself: it polls the run's status URL and
// reloads when the report is ready or has failed. Without JavaScript the page
// refreshes itself instead (a meta refresh inside <noscript>).

const POLL_MILLISECONDS = 2000;
const GIVE_UP_AFTER_ERRORS = 5;

const panel = document.querySelector("[data-report-status-url]");

if (panel) {
  const url = panel.dataset.reportStatusUrl;
  const text = panel.querySelector("[data-report-status-text]");
  const bar = panel.querySelector("progress");
  const refresh = panel.querySelector("[data-report-refresh]");
  let errors = 0;

  refresh.hidden = true;

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      const status = await response.json();
      if (status.finished) {
        window.location.reload();
        return;
      }
      errors = 0;
      bar.value = status.progress;
      bar.textContent = `${status.progress}%`;
      const message =
        status.status === "pending" ? "Waiting to start." : `Generating: ${status.progress}% done.`;
      if (text.textContent !== message) {
        text.textContent = message;
      }
    } catch {
      errors += 1;
      refresh.hidden = false;
      if (errors >= GIVE_UP_AFTER_ERRORS) {
        return;
      }
    }
    window.setTimeout(poll, POLL_MILLISECONDS);
  };

  window.setTimeout(poll, POLL_MILLISECONDS);
}
